import { describe, expect, it } from 'vitest';
import { isoDates, plotlyBundle, plotlyHtml } from '../../src/report/plotly-html.js';

describe('plotlyHtml', () => {
  it('renders a div, the inlined bundle and a newPlot call with the data as JSON', () => {
    const html = plotlyHtml([{ x: ['2024-01-02'], y: [1.5], type: 'scatter' }], { title: { text: 'Equity' } }, { height: 300 });
    const id = /<div id="(plot-[0-9a-f]{12})" style="width:100%;height:300px">/.exec(html)![1];
    expect(html).toContain(plotlyBundle().slice(0, 200));
    expect(html).toContain(`Plotly.newPlot("${id}", [{"x":["2024-01-02"],"y":[1.5],"type":"scatter"}], {"title":{"text":"Equity"}}`);
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

describe('plotlyHtml with typed arrays', () => {
  it('writes Float64Array series as JSON arrays, NaN as null', () => {
    const html = plotlyHtml([{ y: Float64Array.of(1, Number.NaN, 2.5) }], {}, { includeBundle: false });
    expect(html).toContain('"y":[1,null,2.5]');
  });
});
