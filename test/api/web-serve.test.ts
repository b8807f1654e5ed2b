/** `momentum serve` serves the web application with the configuration's universes, and says where. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliSuite } from '../helpers/cli-env.js';
import { finished, spawnCli } from '../helpers/cli.js';
import { spawnedProcesses } from '../helpers/processes.js';
import { engineName } from '../helpers/test-database.js';
import { EVENTUALLY, waitFor } from '../jobs/service-helpers.js';

describe(`momentum serve: the web application (${engineName})`, () => {
  const suite = cliSuite('web-serve');
  const processes = spawnedProcesses();

  it('prints the application URL; its overview lists the configured universes', async () => {
    const config = join(suite.dir, 'config.json');
    writeFileSync(config, JSON.stringify({ universes: { pair: { description: 'two <ETFs> & co', symbols: ['SPY', 'TLT'] } } }));
    const child = processes.track(spawnCli(['serve', '--port', '0'], { ...suite.cli.env, MOMENTUM_CONFIG: config }));
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const done = finished(child);
    const url = /the web application at (http:\S+)\/ /;
    await waitFor(() => url.test(out) || child.exitCode !== null, EVENTUALLY, 'momentum serve to listen');
    if (!url.test(out)) throw new Error(`momentum serve did not start: ${JSON.stringify(await done)}`);
    const base = url.exec(out)![1]!;
    const page = await fetch(`${base}/`);
    const html = await page.text();
    expect(page.status, html).toBe(200);
    expect(html).toContain('<strong>pair</strong> (2 symbols): two &lt;ETFs&gt; &amp; co');
    expect(html).toContain('No bars stored yet');
    const form = await (await fetch(`${base}/strategies`)).text();
    expect(form).toContain('<option value="pair"');
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  });
});
