import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isoDates, notebookPlotter, plotlyBundle, plotlyBundleName, plotlyHtml, plotlyLoader } from '../../src/report/plotly-html.js';

/** The bundle a loader carries, decoded as the browser does (base64, then gzip). */
function carried(html: string): string {
  const packed = /atob\("([A-Za-z0-9+/=]+)"\)/.exec(html)![1]!;
  return gunzipSync(Buffer.from(packed, 'base64')).toString('utf8');
}

describe('plotlyHtml', () => {
  it('renders the loader, a div and a draw call with the data as JSON', () => {
    const html = plotlyHtml([{ x: ['2024-01-02'], y: [1.5], type: 'scatter' }], { title: { text: 'Equity' } }, { height: 300 });
    const id = /<div id="(plot-[0-9a-f]{12})" style="width:100%;height:300px">/.exec(html)![1];
    expect(html.startsWith(plotlyLoader())).toBe(true);
    expect(html).toContain(`Plotly.newPlot("${id}", [{"x":["2024-01-02"],"y":[1.5],"type":"scatter"}], {"title":{"text":"Equity"}}`);
  });

  it('carries plotly.js gzipped in base64, well under the 1.5 MB of the minified bundle', () => {
    const bundle = plotlyBundle();
    expect(bundle).toContain('plotly.js (cartesian - minified)');
    expect(carried(plotlyLoader())).toBe(bundle);
    expect(plotlyLoader().length).toBeLessThan(bundle.length / 2);
    expect(plotlyBundleName()).toMatch(/^plotly-[0-9a-f]{16}\.min\.js$/);
  });

  it('escapes < so a value cannot close the script, turns NaN into null (a gap), and can leave the bundle out', () => {
    const html = plotlyHtml([{ name: '</script><script>alert(1)</script>', y: [1, Number.NaN, 3] }], {}, { includeBundle: false });
    expect(html).not.toContain('</script><script>alert(1)');
    expect(html).toContain('\\u003c/script>');
    expect(html).toContain('"y":[1,null,3]');
    expect(html.length).toBeLessThan(1000);
  });

  it('gives each chart its own id and converts epoch dates', () => {
    expect(plotlyHtml([], {}, { includeBundle: false })).not.toBe(plotlyHtml([], {}, { includeBundle: false }));
    expect(isoDates(Float64Array.of(Date.UTC(2024, 0, 2)))).toEqual(['2024-01-02']);
  });
});

describe('notebookPlotter', () => {
  it('shows the loader once, where it is made, then only charts', () => {
    const shown: string[] = [];
    const plot = notebookPlotter({ html: (html) => void shown.push(html) });
    expect(shown).toEqual([plotlyLoader()]);
    plot([{ y: [1, 2] }], { title: { text: 'one' } }, { height: 300 });
    plot([{ y: [3, 4] }]);
    expect(shown).toHaveLength(3);
    for (const chart of shown.slice(1)) {
      expect(chart).not.toContain('atob(');
      expect(chart.length).toBeLessThan(1000);
    }
    expect(shown[1]).toContain('height:300px');
  });
});

describe('plotlyHtml with typed arrays', () => {
  it('writes Float64Array series as JSON arrays, NaN as null', () => {
    const html = plotlyHtml([{ y: Float64Array.of(1, Number.NaN, 2.5) }], {}, { includeBundle: false });
    expect(html).toContain('"y":[1,null,2.5]');
  });
});
