import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { loadReportTemplates, reportTemplates } from '../../src/report/templates.js';

const REPORTS = fileURLToPath(new URL('../../reports', import.meta.url));

function templateFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? templateFiles(join(dir, entry.name)) : entry.name.endsWith('.hbs') ? [join(dir, entry.name)] : [],
  );
}

const scratch = mkdtempSync(join(tmpdir(), 'momentum-templates-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('report templates', () => {
  it('never print a value unescaped: no triple-stash and no {{& in reports/', () => {
    const files = templateFiles(REPORTS);
    expect(files.length).toBeGreaterThanOrEqual(20);
    const offenders = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (/\{\{\{|\{\{~?&/.test(line) ? [`${relative(REPORTS, file)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(offenders).toEqual([]);
  });

  it('has an HTML and a text template for every email, and the interactive page', () => {
    const names = readdirSync(REPORTS).filter((f) => f.endsWith('.hbs'));
    for (const name of ['rebalance', 'drawdown-alert', 'job-failure']) {
      expect(names).toContain(`${name}.html.hbs`);
      expect(names).toContain(`${name}.txt.hbs`);
    }
    expect(names).toContain('rebalance-interactive.html.hbs');
    expect(reportTemplates().dir).toBe(REPORTS);
  });

  it('are strict: a field the view lacks throws instead of printing nothing', () => {
    const dir = join(scratch, 'strict');
    mkdirSync(join(dir, 'partials'), { recursive: true });
    writeFileSync(join(dir, 'job-failure.html.hbs'), '<p>{{> greeting}} {{missing}}</p>');
    writeFileSync(join(dir, 'job-failure.txt.hbs'), '{{> greeting}} {{percent share}} {{name}}');
    writeFileSync(join(dir, 'partials', 'greeting.html.hbs'), 'Hello {{name}}');
    writeFileSync(join(dir, 'partials', 'greeting.txt.hbs'), 'Hi {{name}}');
    const templates = loadReportTemplates(dir);
    expect(() => templates.html('job-failure', { name: 'x' })).toThrow(/"missing" not defined/);
    // HTML escapes and text does not; each kind has its own partials.
    expect(templates.html('job-failure', { name: '<b>', missing: '&' })).toBe('<p>Hello &lt;b&gt; &amp;</p>');
    expect(templates.text('job-failure', { name: 'A & <B>', share: 0.5 })).toBe('Hi A & <B> 50.0% A & <B>');
    expect(() => templates.text('rebalance', {})).toThrow(ConfigError);
    expect(() => templates.text('rebalance', {})).toThrow(/rebalance\.txt\.hbs is missing/);
  });

  it('use their own Handlebars instances: the global one gets no helpers or partials', () => {
    loadReportTemplates(REPORTS);
    expect(Handlebars.helpers['percent']).toBeUndefined();
    expect(Handlebars.partials['layout']).toBeUndefined();
  });

  it('fail with a clear error when the folder is missing', () => {
    expect(() => loadReportTemplates(join(scratch, 'nowhere'))).toThrow(/cannot read the report templates/);
  });
});
