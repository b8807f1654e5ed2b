import { describe, expect, it } from 'vitest';
import { renderRebalanceReport } from '../../src/report/render-rebalance.js';
import { ValidationError } from '../../src/errors.js';
import { rebalanceReport, ungatedReport } from './report-fixtures.js';
import { pngInfo } from './png-info.js';

const HOSTILE = `<script>alert("x")</script> & 'Co'`;
const HOSTILE_ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;Co&#x27;';

describe('renderRebalanceReport', () => {
  it('renders the subject, a weights row per holding, the trades sells first, and a text part of its own', () => {
    const report = rebalanceReport();
    const { mail } = renderRebalanceReport(report);
    expect(mail.subject).toBe('Global ETF momentum: new weights for 1 Mar 2024');
    const symbols = [...mail.html.matchAll(/<tr data-symbol="([^"]+)">/g)].map((m) => m[1]);
    // Held ones by new weight, then the one sold.
    expect(symbols).toEqual(['SPY', 'QQQ', 'GLD', 'EFA', 'TLT']);
    expect([...mail.html.matchAll(/<tr data-trade="(buy|sell)">/g)].map((m) => m[1])).toEqual(['sell', 'sell', 'buy', 'buy']);
    expect(mail.html).toContain('Dear Alice Example,');
    expect(mail.html).toContain('+25.0 pp');
    expect(mail.html).toContain('1 Apr 2024');
    expect(mail.html).toContain(report.holdingPeriod.exitRule);
    expect(mail.html).toContain('Backtest #12');
    expect(mail.html).toContain('Simulation #3');
    expect(mail.html).toContain('Gates passed');
    expect(mail.html).not.toContain('data-role="gate-warning"');
    // Independent totals: the values of the holdings plus the cash.
    const invested = report.rows.reduce((s, r) => s + r.value, 0);
    expect(mail.html).toContain(`$${invested.toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
    expect(mail.html).toContain(`${((report.cash / (invested + report.cash)) * 100).toFixed(1)}%`);

    expect(mail.text).not.toMatch(/<[a-z]/i);
    expect(mail.text).toMatch(/SPY\s+25\.0%\s+30\.0%\s+\+5\.0 pp\s+15\s+\$7,650\.00/);
    expect(mail.text).toMatch(/SELL\s+TLT\s+80 shares/);
    expect(mail.text.indexOf('SELL  EFA')).toBeLessThan(mail.text.indexOf('BUY   GLD'));
    expect(mail.text).toContain('Hold until:      1 Apr 2024');
    expect(mail.text).toContain('Gates PASSED (gate set "default")');
    expect(mail.text).toContain('Deflated Sharpe ratio 0.91');
    expect(mail.text).toContain('0.95 or more is strong), 16 trials in this family');
    expect(mail.html).toMatch(/<span data-role="trials">16 trials in this family<\/span>/);
    expect(mail.text).toContain('Unsubscribe: https://momentum.example/unsubscribe?token=abc123&portfolio=1');
  });

  it('is mail-client HTML: tables and inline styles, no scripts, no style sheet', () => {
    const { mail } = renderRebalanceReport(rebalanceReport());
    expect(mail.html).not.toMatch(/<script/i);
    expect(mail.html).not.toMatch(/<style/i);
    expect(mail.html).not.toMatch(/<link/i);
    expect(mail.html).toContain('<table role="presentation"');
  });

  it('embeds both charts as PNGs referenced by cid and attaches nothing else', () => {
    const { mail } = renderRebalanceReport(rebalanceReport());
    const images = mail.attachments.filter((a) => a.cid);
    expect(images.map((a) => a.filename)).toEqual(['equity-drawdown.png', 'weights.png']);
    expect(mail.attachments).toHaveLength(2);
    for (const image of images) {
      expect(image.contentType).toBe('image/png');
      expect(mail.html).toContain(`src="cid:${image.cid}"`);
      const info = pngInfo(image.content);
      expect(info.width).toBe(592 * 2);
      expect(image.content.length).toBeGreaterThan(10_000);
    }
    expect(pngInfo(images[0]!.content).height).toBe(340 * 2);
  });

  it('links the interactive page from both parts, with the day the link stops working', () => {
    const link = {
      url: 'https://momentum.example/reports/global-etf-momentum-2024-03-01-s7.html?expires=1&sig=x',
      expiresAt: new Date('2024-05-30T12:00:00Z'),
    };
    const { mail, interactive } = renderRebalanceReport(rebalanceReport(), {
      interactiveLink: link,
      plotlySrc: '../assets/plotly-0123.min.js',
    });
    expect(mail.html).toContain(
      '<a href="https://momentum.example/reports/global-etf-momentum-2024-03-01-s7.html?expires&#x3D;1&amp;sig&#x3D;x"',
    );
    expect(mail.html).toContain('Open the interactive report</a>');
    expect(mail.html).toContain('the link works until 30 May 2024');
    expect(mail.text).toContain(`the link works until 30 May 2024):\n${link.url}\n`);
    expect(mail.attachments.map((a) => a.contentType)).toEqual(['image/png', 'image/png']);
    // The page loads plotly.js from the server: only its own data is in it.
    expect(interactive.html).toContain('<script src="../assets/plotly-0123.min.js"></script>');
    expect(interactive.html.match(/Plotly\.newPlot\(/g)).toHaveLength(2);
    expect(interactive.html).toContain('data-table="weights"');
    expect(interactive.html.length).toBeLessThan(150_000);
    expect(() => renderRebalanceReport(rebalanceReport(), { interactiveLink: { ...link, url: 'javascript:alert(1)' } })).toThrow(
      /interactiveLink/,
    );
  });

  it('without a link says nothing of the page, and the page carries plotly.js inline, compressed, to open as a file', () => {
    const { mail, interactive } = renderRebalanceReport(rebalanceReport(), { pixelRatio: 1 });
    expect(mail.attachments.map((a) => a.filename)).toEqual(['equity-drawdown.png', 'weights.png']);
    expect(pngInfo(mail.attachments[0]!.content).width).toBe(592);
    expect(mail.html).not.toContain('interactive');
    expect(mail.text).not.toContain('Interactive');
    expect(interactive.filename).toBe('global-etf-momentum-2024-03-01.html');
    expect(interactive.html).toContain("new DecompressionStream('gzip')");
    expect(interactive.html.length).toBeGreaterThan(500_000);
    expect(interactive.html.length).toBeLessThan(1_000_000);
  });

  it('warns loudly when the gates were ignored or failed, with the failed reasons', () => {
    const { mail } = renderRebalanceReport(ungatedReport());
    expect(mail.subject).toContain('WARNING: research gates ignored');
    expect(mail.html).toContain('data-role="gate-warning"');
    expect(mail.html).toContain('Warning: Research gates ignored');
    expect(mail.html).toContain('Sharpe 0.41 is below the minimum 0.50');
    expect(mail.html).toContain('Gates failed');
    expect(mail.html).toContain('The out-of-sample period overlaps the backtest by 20 bars.');
    expect(mail.text).toContain('*** WARNING: RESEARCH GATES IGNORED ***');
    expect(mail.text).toContain('  - max drawdown 31.0% is above the maximum 25.0%');
    const failedOnly = renderRebalanceReport(rebalanceReport({ gatesFailed: true, gateWarning: 'Custom words.' })).mail;
    expect(failedOnly.subject).toContain('WARNING: research gates failed');
    expect(failedOnly.html).toContain('Custom words.');
  });

  it('escapes every value in the HTML, including names with markup and quotes', () => {
    const base = ungatedReport();
    const report = ungatedReport({
      portfolio: { ...base.portfolio, name: HOSTILE, strategy: HOSTILE, universe: HOSTILE },
      subscriber: { name: HOSTILE, amount: 1000, currency: 'USD' },
      rows: base.rows.map((r, i) => (i === 0 ? { ...r, symbol: HOSTILE, name: HOSTILE, assetClass: HOSTILE, reason: HOSTILE } : r)),
      trades: [{ side: 'buy', symbol: HOSTILE, shares: 1, value: 10 }],
      holdingPeriod: { nextRebalance: HOSTILE, exitRule: HOSTILE },
      gateWarning: HOSTILE,
      notes: [HOSTILE],
      evidence: { ...base.evidence, gate: { name: HOSTILE, passed: false, failedReasons: [HOSTILE] } },
      performance: { ...base.performance!, label: HOSTILE },
      unsubscribeUrl: `https://x.example/u?a=1&b="><script>`,
    });
    const { mail, interactive } = renderRebalanceReport(report);
    // The page's own scripts (plotly.js and the chart data, JSON with "<" escaped) aside, all markup is the templates'.
    const scripts = [...interactive.html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(3);
    expect(scripts.slice(1).join('')).toContain('\\u003cscript>alert(\\"x\\")\\u003c/script> & \'Co\'');
    const pageMarkup = interactive.html.replace(/<script>[\s\S]*?<\/script>/g, '');
    for (const html of [mail.html, pageMarkup]) {
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain(`'Co'`);
      expect(html).not.toContain('"><script>');
      expect(html.split(HOSTILE_ESCAPED).length - 1).toBeGreaterThanOrEqual(10);
    }
    // Handlebars escapes = too (&#x3D;): browsers decode it back in the href.
    expect(mail.html).toContain('href="https://x.example/u?a&#x3D;1&amp;b&#x3D;&quot;&gt;&lt;script&gt;"');
    // The text part is not markup: the names come through as written.
    expect(mail.text).toContain(`Dear ${HOSTILE},`);
    expect(mail.text).not.toContain('&lt;');
  });

  it('accepts only http(s) and mailto unsubscribe links, and shows none without one', () => {
    expect(() => renderRebalanceReport(rebalanceReport({ unsubscribeUrl: 'javascript:alert(1)' }))).toThrow(ValidationError);
    expect(() => renderRebalanceReport(rebalanceReport({ unsubscribeUrl: 'https://a.example/x y' }))).toThrow(/unsubscribeUrl/);
    const { mail } = renderRebalanceReport(rebalanceReport({ unsubscribeUrl: null, subscriber: null }));
    expect(mail.html).not.toContain('data-role="unsubscribe"');
    expect(mail.text).not.toContain('Unsubscribe');
    expect(mail.html).not.toContain('Dear');
    // Without a subscriber the model amount is used.
    expect(mail.html).toContain('sized for <b>$100,000.00</b>');
  });

  it('renders an all-cash first rebalance with no trades, no evidence and no history', () => {
    const { mail, interactive } = renderRebalanceReport(
      rebalanceReport({
        rows: [],
        trades: [],
        cash: 25_000,
        evidence: { backtest: null, simulation: null, gate: null },
        performance: null,
        holdingPeriod: { nextRebalance: null, exitRule: 'none' },
      }),
    );
    expect(mail.html).not.toContain('data-symbol=');
    expect(mail.html).toContain('No trades: the holdings already match the new weights.');
    expect(mail.html).toContain('No backtest or simulation is stored');
    expect(mail.text).toContain("Hold until:      the strategy's next signal");
    expect(mail.attachments.filter((a) => a.cid)).toHaveLength(2);
    expect(interactive.html).toContain('Plotly.newPlot(');
  });

  it('leaves its input unchanged', () => {
    const report = ungatedReport();
    const before = structuredClone(report);
    renderRebalanceReport(report);
    expect(report).toEqual(before);
  });

  it("shows a new holding's newest three headlines with web links only, and none for a holding kept", () => {
    const base = rebalanceReport();
    const news = (n: number, link: string) => ({
      title: `GLD news ${n} ${HOSTILE}`,
      publisher: 'Wire',
      link,
      publishedAt: `2024-02-2${n}T10:00:00Z`,
    });
    const headlines = [
      news(1, 'https://a.example/1'),
      news(2, 'javascript:alert(1)'),
      news(3, 'https://a.example/3'),
      news(4, 'https://a.example/4'),
      news(5, 'https://a.example/5'),
    ];
    const report = {
      ...base,
      rows: base.rows.map((r) => (r.symbol === 'GLD' || r.symbol === 'SPY' ? { ...r, headlines } : r)),
    };
    expect(report.rows.find((r) => r.symbol === 'GLD')!.previousWeight).toBe(0);
    expect(report.rows.find((r) => r.symbol === 'SPY')!.previousWeight).toBeGreaterThan(0);
    const { mail } = renderRebalanceReport(report);
    const links = [...mail.html.matchAll(/<a href="(https:\/\/a\.example\/\d)"/g)].map((m) => m[1]);
    expect(links).toEqual(['https://a.example/5', 'https://a.example/4', 'https://a.example/3']);
    expect(mail.html).not.toContain('javascript:');
    expect(mail.html).toContain(`GLD news 5 ${HOSTILE_ESCAPED}`);
    expect(mail.html).not.toContain(HOSTILE);
    expect(mail.text).toContain('- GLD news 5');
    expect(mail.text).toContain('https://a.example/3');
    expect(mail.text).not.toContain('https://a.example/1');
    // SPY is kept from the previous rebalance: its headlines (the same ones) are not listed twice
    expect(mail.text.match(/https:\/\/a\.example\/5/g)).toHaveLength(1);
  });
});
