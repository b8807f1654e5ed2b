// The portfolio page's chart: its data is the page's <script type="application/json"> block (the
// Content-Security-Policy runs no inline script); plotly.js is loaded before this file.
(function () {
  const block = document.getElementById('portfolio-chart-data');
  const target = document.getElementById('since-start-chart');
  if (!block || !target || !window.Plotly) return;
  const data = JSON.parse(block.textContent);
  const money = { tickformat: ',.0f', title: { text: data.currency } };
  const traces = [
    { x: data.dates, y: data.value, type: 'scatter', mode: 'lines', name: 'Portfolio', line: { color: '#0969da', width: 2 } },
    {
      x: data.dates,
      y: data.invested,
      type: 'scatter',
      mode: 'lines',
      name: 'Put in',
      line: { color: '#6b7280', dash: 'dot', shape: 'hv' },
    },
    {
      x: data.dates,
      y: data.drawdown,
      type: 'scatter',
      mode: 'lines',
      name: 'Drawdown',
      fill: 'tozeroy',
      line: { color: '#b42318', width: 1 },
      xaxis: 'x',
      yaxis: 'y2',
    },
  ];
  if (data.benchmark)
    traces.splice(1, 0, {
      x: data.dates,
      y: data.benchmark.value,
      type: 'scatter',
      mode: 'lines',
      name: data.benchmark.symbol + ', the same money',
      line: { color: '#bf8700', width: 2 },
    });
  window.Plotly.newPlot(
    target,
    traces,
    {
      margin: { l: 56, r: 8, t: 8, b: 32 },
      height: 420,
      legend: { orientation: 'h', y: -0.12 },
      grid: { rows: 2, columns: 1, roworder: 'top to bottom' },
      yaxis: { ...money, domain: [0.36, 1] },
      yaxis2: { tickformat: '.0%', domain: [0, 0.26], title: { text: 'Drawdown' } },
      xaxis: { anchor: 'y2' },
    },
    { responsive: true, displaylogo: false },
  );
})();
