/**
 * SIP backtests on small synthetic panels: a hand-checked one-asset case (shares, values, XIRR,
 * TWR and the lump sum), no look-ahead, the rebalance modes, splits, and bad input.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { NO_COSTS } from '../../src/backtest/transaction-cost.js';
import { DataError } from '../../src/errors.js';
import { installmentsFrom, sipBacktest, type SipBacktestPlan } from '../../src/portfolio/sip-backtest.js';
import { getStrategy } from '../../src/strategies/registry.js';
import { resolveParams, type Strategy, type StrategyPanel, type StrategyParams } from '../../src/strategies/strategy.js';
import { createRandom } from '../../src/util/random.js';
import { panelOf, randomWalk, weekdayDates } from '../helpers/strategy-panel.js';
import { validationErrorOf } from '../helpers/validation-error.js';

type FixedParams = { weights: string; from: number } & StrategyParams;

/**
 * Fixed weights ('A=0.6,B=0.4'), set at every bar from `from` on; with `switchAt`, all in the last
 * symbol from that bar on. Reads nothing from the prices, so it cannot look ahead.
 */
function fixedWeights(kind: 'weights' | 'shares' = 'weights', switchAt = Number.POSITIVE_INFINITY): Strategy<FixedParams> {
  return {
    name: 'fixed-weights',
    title: 'Fixed weights',
    citation: '',
    description: '',
    scoreLabel: '',
    exitRule: 'none',
    fields: ['adj_close'],
    paramsSchema: () => z.object({ weights: z.string(), from: z.number() }) as unknown as z.ZodType<FixedParams, Record<string, unknown>>,
    sweep: {},
    targets(panel, params) {
      const n = panel.symbols.length;
      const bars = panel.dates.length;
      const weights = new Map(params.weights.split(',').map((pair) => [pair.split('=')[0]!, Number(pair.split('=')[1])]));
      const rebalance = Uint8Array.from({ length: bars }, (_, t) => (t >= params.from ? 1 : 0));
      const targets = new Float64Array(bars * n);
      for (let t = 0; t < bars; t++) {
        for (let j = 0; j < n; j++) {
          targets[t * n + j] = t >= switchAt ? (j === n - 1 ? 1 : 0) : (weights.get(panel.symbols[j]!) ?? 0);
        }
      }
      return { kind, rebalance, targets };
    },
  };
}

/** Raw closes (and the same adjusted closes) on weekdays from Monday 2024-01-01. */
function pricePanel(close: Record<string, number[]>, adjClose: Record<string, number[]> = close): StrategyPanel {
  return panelOf({ close, adj_close: adjClose }, { dates: weekdayDates });
}

/** Σ a_i / (1 + r)^(days_i / 365), independently of cash-flows.ts. */
function npv(flows: readonly { date: string; amount: number }[], rate: number): number {
  const first = Date.parse(flows[0]!.date);
  return flows.reduce((s, f) => s + f.amount / Math.pow(1 + rate, (Date.parse(f.date) - first) / 86_400_000 / 365), 0);
}

const fieldOf = (run: () => unknown): string => validationErrorOf(run).field;

/** One asset: 100 in January, 125 in February, 80 in March, 110 in April until 120 on the last bar. */
function oneAssetPanel(): StrategyPanel {
  const dates = weekdayDates(70); // rows 0-22 January, 23-43 February, 44-64 March, 65-69 April 1-5
  const month = (t: number) => new Date(dates[t]!).getUTCMonth();
  const close = Array.from({ length: 70 }, (_, t) => (t === 69 ? 120 : [100, 125, 80, 110][month(t)]!));
  return pricePanel({ A: close });
}

const MONTHLY: SipBacktestPlan = { installment: 1000, every: 'month', fullRebalance: 'never', costs: NO_COSTS };

describe('sipBacktest: one asset with target 1, checked by hand', () => {
  const result = sipBacktest(fixedWeights(), oneAssetPanel(), { weights: 'A=1', from: 0 }, MONTHLY);

  it('invests on the first bar of each month from the bar after the first signal', () => {
    // Signal at bar 0 (Monday 1 January): the first installment is on bar 1, then 1 February, 1 March, 1 April.
    expect(result.installments).toBe(4);
    expect(result.totalInvested).toBe(4000);
    const installments = result.sip.events.filter((e) => e.kind === 'installment');
    expect(installments.map((e) => e.date)).toEqual(['2024-01-02', '2024-02-01', '2024-03-01', '2024-04-01']);
    // 1000 / 100 = 10; 1000 / 125 = 8; 1000 / 80 = 12 (40 left); 1040 / 110 = 9 (50 left).
    expect(installments.map((e) => e.orders.map((o) => [o.symbol, o.side, o.shares]))).toEqual([
      [['A', 'buy', 10]],
      [['A', 'buy', 8]],
      [['A', 'buy', 12]],
      [['A', 'buy', 9]],
    ]);
    expect(installments.map((e) => e.cash)).toEqual([0, 0, 40, 50]);
    expect(installments.map((e) => e.valueBefore)).toEqual([0, 1250, 1440, 3340]);
    expect(Array.from(result.sip.shares)).toEqual([39]);
    expect(result.sip.finalValue).toBe(39 * 120 + 50);
    expect(result.dates[0]).toBe('2024-01-02');
    expect(result.dates.at(-1)).toBe('2024-04-05');
    expect(result.invested.at(0)).toBe(1000);
    expect(result.invested.at(-1)).toBe(4000);
    expect(result.sip.value.at(0)).toBe(1000);
  });

  it('reports the XIRR of the installments and the final value, and the chain-linked TWR', () => {
    const flows = [
      { date: '2024-01-02', amount: -1000 },
      { date: '2024-02-01', amount: -1000 },
      { date: '2024-03-01', amount: -1000 },
      { date: '2024-04-01', amount: -1000 },
      { date: '2024-04-05', amount: 4730 },
    ];
    const rate = result.sip.xirr!;
    expect(Math.abs(npv(flows, rate))).toBeLessThan(1e-8);
    expect(Math.sign(npv(flows, rate - 1e-6))).toBe(-Math.sign(npv(flows, rate + 1e-6)));
    // Sub-periods: 1000 -> 1250, 2250 -> 1440, 2440 -> 3340, 4340 -> 4730.
    expect(result.sip.twr).toBeCloseTo((1250 / 1000) * (1440 / 2250) * (3340 / 2440) * (4730 / 4340) - 1, 12);
    expect(result.sip.twrAnnualised).toBeCloseTo(Math.pow(1 + result.sip.twr, 365 / 94) - 1, 12);
  });

  it('puts the lump sum in at the first installment and reports its closed-form XIRR', () => {
    expect(result.lumpSum.events[0]!.orders).toEqual([{ symbol: 'A', side: 'buy', shares: 40, price: 100, value: 4000, cost: 0 }]);
    // Full rebalances on every later signal find nothing to do: no further events.
    expect(result.lumpSum.events).toHaveLength(1);
    expect(result.lumpSum.finalValue).toBe(4800);
    expect(result.lumpSum.twr).toBeCloseTo(0.2, 14);
    expect(result.lumpSum.xirr).toBeCloseTo(Math.pow(1.2, 365 / 94) - 1, 12);
    // Prices fell after the lump sum went in and the SIP bought the dip: it did better per money-day.
    expect(result.sip.xirr!).toBeGreaterThan(result.lumpSum.xirr!);
  });
});

describe('sipBacktest: no look-ahead', () => {
  it('changing prices after bar t never changes what was bought up to t', () => {
    const random = createRandom(3);
    const symbols = ['A', 'B', 'C', 'D'];
    const bars = 160;
    const close = Object.fromEntries(symbols.map((s) => [s, randomWalk(random, bars)]));
    const panel = pricePanel(close);
    const strategy = getStrategy('xs-momentum');
    const params = resolveParams(strategy, '1d', { lookback: 20, skip: 2, topPct: 50, rebalance: 'weekly' });
    const plans: SipBacktestPlan[] = [
      { installment: 5000, every: 'week', fullRebalance: 'never', costs: { bps: 10, slippageBps: 5, fixedFee: 1 } },
      { installment: 5000, every: 'month', fullRebalance: 'on-signal', costs: NO_COSTS },
    ];
    for (const plan of plans) {
      const base = sipBacktest(strategy, panel, params, plan);
      const first = bars - base.dates.length;
      expect(base.sip.events.some((e) => e.orders.some((o) => o.side === 'sell'))).toBe(plan.fullRebalance === 'on-signal');
      for (const t of [first, first + 7, 60, 90, 130]) {
        const scale = (series: Record<string, number[]>) =>
          Object.fromEntries(Object.entries(series).map(([s, x]) => [s, x.map((v, i) => (i > t ? v * (0.5 + random.next()) : v))]));
        const changed = scale(close);
        const other = sipBacktest(strategy, pricePanel(changed), params, plan);
        for (const run of ['sip', 'lumpSum'] as const) {
          const upTo = (r: typeof base) => r[run].events.filter((e) => e.bar <= t);
          expect(upTo(other), `${run} events up to bar ${t}`).toEqual(upTo(base));
          expect(Array.from(other[run].value.subarray(0, t - first + 1))).toEqual(Array.from(base[run].value.subarray(0, t - first + 1)));
        }
        // The prices did change after t, and with them the outcome.
        expect(other.sip.finalValue).not.toBe(base.sip.finalValue);
      }
    }
  });
});

describe('sipBacktest: rebalance modes', () => {
  // A and B at 10 throughout; the strategy holds A until bar 30, then all B (its last symbol).
  const flat = pricePanel({ A: new Array(80).fill(10), B: new Array(80).fill(10) }); // 2 January to 19 April
  const switching = fixedWeights('weights', 30);
  const params = { weights: 'A=1', from: 0 };

  it('contribution-only never sells: the old holding stays and new money goes to the new target', () => {
    const result = sipBacktest(switching, flat, params, MONTHLY);
    const orders = result.sip.events.flatMap((e) => e.orders);
    expect(orders.filter((o) => o.side === 'sell')).toEqual([]);
    // 2 January and 1 February buy A; from the switch (bar 30, 12 February) on, new money buys B.
    expect(result.sip.events.map((e) => e.orders.map((o) => `${o.symbol}${o.shares}`).join())).toEqual(['A100', 'A100', 'B100', 'B100']);
    expect(Array.from(result.sip.shares)).toEqual([200, 200]);
  });

  it("'on-signal' sells the old holding on the bar after the switch; the lump sum does the same", () => {
    const result = sipBacktest(switching, flat, params, { ...MONTHLY, fullRebalance: 'on-signal' });
    const sale = result.sip.events.find((e) => e.orders.some((o) => o.side === 'sell'))!;
    expect(sale.kind).toBe('rebalance');
    expect(sale.bar).toBe(31);
    expect(sale.contribution).toBe(0);
    expect(sale.orders.map((o) => `${o.side} ${o.symbol} ${o.shares}`)).toEqual(['sell A 200', 'buy B 200']);
    expect(Array.from(result.sip.shares)).toEqual([0, 400]);
    const lump = result.lumpSum.events.find((e) => e.bar === 31)!;
    expect(lump.orders.map((o) => `${o.side} ${o.symbol} ${o.shares}`)).toEqual(['sell A 400', 'buy B 400']);
  });

  it('{ everyInstallments: 2 } makes every second installment a full rebalance', () => {
    const result = sipBacktest(switching, flat, params, { ...MONTHLY, fullRebalance: { everyInstallments: 2 } });
    expect(result.sip.events.map((e) => e.mode)).toEqual(['contribution', 'full', 'contribution', 'full']);
    // The fourth installment (1 April) sells the 200 A and buys B with it and the new 1000.
    expect(result.sip.events[3]!.orders.map((o) => `${o.side} ${o.symbol} ${o.shares}`)).toEqual(['sell A 200', 'buy B 300']);
  });

  it('keeps money in cash, and says so, while the strategy has no signal yet', () => {
    const result = sipBacktest(fixedWeights(), flat, { weights: 'A=1', from: 40 }, { ...MONTHLY, start: '2024-01-01' });
    expect(result.notes[0]).toBe('no strategy signal before the first installment on 2024-01-01: money waited in cash until 2024-02-27');
    expect(result.sip.events.slice(0, 2).map((e) => e.orders)).toEqual([[], []]);
    expect(result.sip.events[2]!.orders.map((o) => `${o.symbol}${o.shares}`)).toEqual(['A300']);
    expect(result.sip.xirr).toBeCloseTo(0, 12);
  });

  it('stays in cash when the strategy selects nothing, with zero returns', () => {
    const result = sipBacktest(fixedWeights(), flat, { weights: 'A=0', from: 0 }, MONTHLY);
    expect(result.sip.events.every((e) => e.orders.length === 0)).toBe(true);
    expect(result.sip.finalValue).toBe(result.totalInvested);
    expect(result.sip.xirr).toBeCloseTo(0, 12);
    expect(result.lumpSum.twr).toBe(0);
  });
});

describe('sipBacktest: splits and dividends follow the adjusted closes', () => {
  it('a 2:1 split doubles the shares and leaves the value as without it', () => {
    const bars = 60;
    const adj = Array.from({ length: bars }, (_, t) => 50 + t);
    const raw = adj.map((p, t) => (t < 35 ? p * 2 : p)); // before the split the raw price was twice the adjusted one
    const plan: SipBacktestPlan = { ...MONTHLY, fractional: true };
    const split = sipBacktest(fixedWeights(), pricePanel({ A: raw }, { A: adj }), { weights: 'A=1', from: 0 }, plan);
    const plain = sipBacktest(fixedWeights(), pricePanel({ A: adj }), { weights: 'A=1', from: 0 }, plan);
    for (let i = 0; i < split.dates.length; i++) expect(split.sip.value[i]).toBeCloseTo(plain.sip.value[i]!, 8);
    expect(split.sip.shares[0]).toBeCloseTo(plain.sip.shares[0]!, 10);
    expect(split.sip.events[0]!.orders[0]!.price).toBe(102); // bought at the raw price of bar 1
  });
});

describe('installmentsFrom', () => {
  const dates = weekdayDates(140); // Monday 2024-01-01 to mid-July
  const iso = (bars: number[]) => bars.map((t) => new Date(dates[t]!).toISOString().slice(0, 10));

  it('takes the first bar of each week, month or quarter after the start bar', () => {
    expect(iso(installmentsFrom(dates, 3, 'week', 3))).toEqual(['2024-01-04', '2024-01-08', '2024-01-15']);
    expect(iso(installmentsFrom(dates, 3, 'month'))).toEqual([
      '2024-01-04',
      '2024-02-01',
      '2024-03-01',
      '2024-04-01',
      '2024-05-01',
      '2024-06-03',
      '2024-07-01',
    ]);
    expect(iso(installmentsFrom(dates, 0, 'quarter'))).toEqual(['2024-01-01', '2024-04-01', '2024-07-01']);
  });
});

describe('sipBacktest: bad input', () => {
  const panel = oneAssetPanel();
  const params = { weights: 'A=1', from: 0 };

  it('rejects a strategy that sets share counts', () => {
    expect(fieldOf(() => sipBacktest(fixedWeights('shares'), panel, params, MONTHLY))).toBe('strategy');
  });

  it('needs raw closes in the panel', () => {
    const adjOnly = panelOf({ adj_close: { A: new Array(30).fill(10) } }, { dates: weekdayDates });
    expect(fieldOf(() => sipBacktest(fixedWeights(), adjOnly, params, MONTHLY))).toBe('panel');
  });

  it('names the plan field at fault', () => {
    expect(fieldOf(() => sipBacktest(fixedWeights(), panel, params, { ...MONTHLY, installment: 0 }))).toBe('plan.installment');
    expect(fieldOf(() => sipBacktest(fixedWeights(), panel, params, { ...MONTHLY, every: 'day' as 'week' }))).toBe('plan.every');
    expect(fieldOf(() => sipBacktest(fixedWeights(), panel, params, { ...MONTHLY, count: 1.5 }))).toBe('plan.count');
    expect(fieldOf(() => sipBacktest(fixedWeights(), panel, params, { ...MONTHLY, start: '2024-02-30' }))).toBe('plan.start');
    expect(fieldOf(() => sipBacktest(fixedWeights(), panel, params, { ...MONTHLY, start: '2030-01-01' }))).toBe('plan.start');
    expect(fieldOf(() => sipBacktest(fixedWeights(), panel, params, { ...MONTHLY, fullRebalance: { everyInstallments: 0 } }))).toBe(
      'plan.fullRebalance',
    );
    expect(fieldOf(() => sipBacktest(fixedWeights(), panel, params, { ...MONTHLY, lotSize: 0 }))).toBe('plan.lotSize');
  });

  it('says plainly when the strategy never signals and no start is given', () => {
    expect(() => sipBacktest(fixedWeights(), panel, { weights: 'A=1', from: 1000 }, MONTHLY)).toThrow(DataError);
  });

  it('reports fewer installments than asked when the data ends first', () => {
    const result = sipBacktest(fixedWeights(), panel, params, { ...MONTHLY, count: 12 });
    expect(result.installments).toBe(4);
    expect(result.notes).toContain('only 4 of the 12 installments fit before the data ends on 2024-04-05');
  });
});
