/*
 * Draws a web page's charts with plotly.js (loaded before this file). The pages run no inline
 * script (Content-Security-Policy script-src 'self'): each element with data-chart="NAME" gets the
 * figure NAME ({ data, layout, height }) of the JSON in <script type="application/json" id="chart-data">.
 */
(function () {
  var source = document.getElementById('chart-data');
  if (!source || !window.Plotly) return;
  var figures = JSON.parse(source.textContent);
  document.querySelectorAll('[data-chart]').forEach(function (box) {
    var figure = figures[box.getAttribute('data-chart')];
    if (!figure) return;
    box.style.height = figure.height + 'px';
    window.Plotly.newPlot(box, figure.data, figure.layout, { responsive: true, displaylogo: false });
  });
})();
