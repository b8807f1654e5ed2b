// Draws the charts of a web page (GET /static/web-sweep-chart.js): each .plotly-figure carries its
// figure as JSON in a non-executing <script type="application/json">, since the page's
// Content-Security-Policy runs no inline script. plotly.js is loaded before this file.
(function () {
  // plotly does not wrap a title: on a narrow screen a long one is broken into lines, each given room.
  var LINE = 18;
  function wrapTitle(layout, width) {
    var title = layout.title;
    if (!title || typeof title.text !== 'string') return 0;
    var perLine = Math.max(20, Math.floor((width - 16) / 7));
    var lines = [''];
    title.text.split(' ').forEach(function (word) {
      var last = lines[lines.length - 1];
      if (last !== '' && (last + ' ' + word).length > perLine) lines.push(word);
      else lines[lines.length - 1] = last === '' ? word : last + ' ' + word;
    });
    title.text = lines.join('<br>');
    var extra = LINE * (lines.length - 1);
    // plotly anchors the last line where one line would be: the lines above it are moved down.
    title.pad = { t: extra };
    layout.margin = layout.margin || {};
    layout.margin.t = (layout.margin.t || 64) + extra;
    return extra;
  }

  document.querySelectorAll('.plotly-figure').forEach(function (figure) {
    var source = figure.querySelector('script[type="application/json"]');
    var chart = figure.querySelector('.plotly-chart');
    if (!source || !chart) return;
    var spec = JSON.parse(source.textContent);
    var extra = wrapTitle(spec.layout, chart.clientWidth);
    chart.style.height = (Number(figure.getAttribute('data-height')) || 480) + extra + 'px';
    window.Plotly.newPlot(chart, spec.data, spec.layout, { responsive: true });
  });
})();
