import { describe, expect, it } from 'vitest';
import { renderDrawdownAlert } from '../../src/report/render-alert.js';
import { renderJobFailure } from '../../src/report/render-job-failure.js';
import { ValidationError } from '../../src/errors.js';
import { drawdownAlert, jobFailure } from './report-fixtures.js';
import { pngInfo } from './png-info.js';

const HOSTILE = `<script>alert("x")</script> & 'Co'`;
const HOSTILE_ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;Co&#x27;';

describe('renderDrawdownAlert', () => {
  it('says which threshold was crossed, how deep, since when, per position, and what the exit rules say', () => {
    const alert = drawdownAlert();
    const mail = renderDrawdownAlert(alert);
    expect(mail.subject).toBe('Global ETF momentum: drawdown passed the -10% alert level on 28 Feb 2024 (-12.3%)');
    expect(mail.html).toContain(
      'On <b>28 Feb 2024</b>, the <b>Global ETF momentum</b> portfolio was <b style="color:#b42318;">-12.3%</b> below its peak of <b>12 Jan 2024</b>, past the <b>-10%</b> alert level.',
    );
    expect(mail.html).toContain('Now, with data to 29 Feb 2024, the portfolio is <b>-11.8%</b> below its peak of 12 Jan 2024.');
    expect(mail.text).toContain(
      'On 28 Feb 2024, the Global ETF momentum portfolio was -12.3% below its peak of 12 Jan 2024, past the -10% alert level.',
    );
    expect(mail.text).toContain('Now, with data to 29 Feb 2024, the portfolio is -11.8% below its peak of 12 Jan 2024.');
    // Deepest first.
    expect([...mail.html.matchAll(/<tr data-symbol="([^"]+)">/g)].map((m) => m[1])).toEqual(['QQQ', 'SPY', 'GLD']);
    expect(mail.html).toContain('-18.2%');
    expect(mail.html).toContain('closed 3.1% below its 200-day average');
    expect(mail.html.match(/>EXIT</g)).toHaveLength(1);
    expect(mail.html).toContain(alert.exitRules);
    expect(mail.html).toContain('1 position has met the strategy');
    expect(mail.html).not.toMatch(/<script|<style/i);
    expect(mail.text).toMatch(/QQQ\s+27\.0%\s+-18\.2%\s+10 Jan 2024\s+EXIT: closed 3\.1% below/);
    expect(mail.text).toContain("WHAT THE STRATEGY'S EXIT RULES SAY");
    expect(mail.text).toContain('Value now $98,575.00 (peak $112,400.00).');
    expect(mail.text).toContain('Unsubscribe: https://momentum.example/unsubscribe?token=abc123');
  });

  it('embeds the equity and drawdown chart as a PNG by cid, also with no history', () => {
    for (const performance of [drawdownAlert().performance, null]) {
      const mail = renderDrawdownAlert(drawdownAlert({ performance }), { pixelRatio: 1 });
      expect(mail.attachments).toHaveLength(1);
      const [chart] = mail.attachments;
      expect(mail.html).toContain(`src="cid:${chart!.cid}"`);
      expect(pngInfo(chart!.content)).toMatchObject({ width: 592, height: 340 });
    }
  });

  it('escapes names and notes in the HTML and checks the unsubscribe link', () => {
    const mail = renderDrawdownAlert(
      drawdownAlert({
        portfolio: { name: HOSTILE, strategy: HOSTILE, currency: 'USD' },
        subscriber: { name: HOSTILE },
        positions: [{ symbol: HOSTILE, name: HOSTILE, drawdown: -0.2, exitTriggered: true, note: HOSTILE }],
        exitRules: HOSTILE,
      }),
    );
    expect(mail.html).not.toContain('<script>alert');
    expect(mail.html.split(HOSTILE_ESCAPED).length - 1).toBeGreaterThanOrEqual(7);
    expect(mail.text).toContain(`Dear ${HOSTILE},`);
    expect(() => renderDrawdownAlert(drawdownAlert({ unsubscribeUrl: 'data:text/html,x' }))).toThrow(ValidationError);
  });

  it('states the observation date and the state now in the past tense once the drawdown has recovered', () => {
    const mail = renderDrawdownAlert(
      drawdownAlert({ position: 'QQQ', now: { drawdown: -0.03, peakDate: '2024-01-10', recoveredAt: '2024-02-29' } }),
    );
    expect(mail.subject).toBe('Global ETF momentum: QQQ drawdown passed the -10% alert level on 28 Feb 2024 (-12.3%)');
    expect(mail.text).toContain('On 28 Feb 2024, QQQ in the Global ETF momentum portfolio was -12.3% below its peak');
    expect(mail.text).toContain(
      'Now, with data to 29 Feb 2024, QQQ is -3.0% below its peak of 10 Jan 2024; it recovered to half the alert level or better on 29 Feb 2024.',
    );
  });

  it('says plainly when the portfolio holds nothing', () => {
    const mail = renderDrawdownAlert(drawdownAlert({ positions: [] }));
    expect(mail.html).toContain('The portfolio holds no positions (all cash).');
    expect(mail.text).toContain('The portfolio holds no positions (all cash).');
  });
});

describe('renderJobFailure', () => {
  it('names the job, slot, times, counts and the error text, for the operator', () => {
    const mail = renderJobFailure(jobFailure());
    expect(mail.subject).toBe('momentum: job ingest failed (slot 2024-03-01 03:30:00 UTC)');
    expect(mail.attachments).toEqual([]);
    expect(mail.html).toContain('(run #42)');
    expect(mail.html).toContain('2024-03-01 03:31:05 UTC');
    expect(mail.html).toContain('(after 1 min 5 s)');
    expect(mail.html).toMatch(/>failed<\/td><td[^>]*>3<\/td>/);
    expect(mail.html).toContain('ProviderError: yahoo returned HTTP 503 for SPY\n    at fetchBars');
    expect(mail.html).not.toContain('Unsubscribe');
    expect(mail.text).toMatch(/ {2}stored +9\n/);
    expect(mail.text).toContain('momentum run-job ingest');
  });

  it('handles a run started by hand that never ended, and escapes the error text', () => {
    const mail = renderJobFailure(jobFailure({ scheduledFor: null, endedAt: null, counts: null, host: null, runId: null, error: HOSTILE }));
    expect(mail.subject).toBe('momentum: job ingest failed (started by hand)');
    expect(mail.html).toContain(HOSTILE_ESCAPED);
    expect(mail.html).not.toContain('<script>alert');
    expect(mail.text).toContain(HOSTILE);
    expect(mail.text).toMatch(/Ended +–/);
  });

  it('keeps the subject on one line whatever the job name holds', () => {
    expect(renderJobFailure(jobFailure({ job: 'ingest\r\nBcc: x@example.com' })).subject).toBe(
      'momentum: job ingest Bcc: x@example.com failed (slot 2024-03-01 03:30:00 UTC)',
    );
  });
});
