import { readFileSync } from 'node:fs';
import { it } from 'vitest';
import { launchTestBrowser } from '../helpers/packaged-chromium.js';
it('crop', async () => {
  const [file, prefix, step] = (process.env.CROP ?? '').split(',');
  const b = await launchTestBrowser();
  const p = await b.newPage({ viewport: { width: 390, height: 800 } });
  await p.setContent(`<body style="margin:0"><img id="i" src="data:image/png;base64,${readFileSync(file!).toString('base64')}"></body>`);
  const h = (await p.evaluate('document.getElementById("i").naturalHeight')) as number;
  const s = Number(step ?? 1200);
  for (let y = 0, i = 0; y < h; y += s, i++)
    await p.screenshot({ path: `${prefix}${i}.png`, clip: { x: 0, y, width: 390, height: Math.min(s, h - y) }, fullPage: true });
  await b.close();
});
