// Draws the charts of a web page (GET /static/web-sweep-chart.js): each .plotly-figure carries its
// figure as JSON in a non-executing <script type="application/json">, since the page's
// Content-Security-Policy runs no inline script. plotly.js is loaded before this file.
(function () {
  document.querySelectorAll('.plotly-figure').forEach(function (figure) {
    var source = figure.querySelector('script[type="application/json"]');
    var chart = figure.querySelector('.plotly-chart');
    if (!source || !chart) return;
    var spec = JSON.parse(source.textContent);
    chart.style.height = (Number(figure.getAttribute('data-height')) || 480) + 'px';
    window.Plotly.newPlot(chart, spec.data, spec.layout, { responsive: true });
  });
})();
