/* NAP Portal charts and dashboard controls. No inline script anywhere: chart data arrives as JSON written by
 * Django's json_script (data-chart-source) or fetched from the chart's own endpoint (data-chart-url), and this
 * file draws every such <canvas data-chart-id> it finds, on load and after each htmx swap. Chart.js (static/vendor/chartjs) is the only charting library. */
(function () {
  "use strict";

  // Colour is never the only signal: each series also gets its own point shape and dash, and the legend names it.
  var COLOURS = ["#0b5d3b", "#1f5fa8", "#a4161a", "#8a4b00", "#6a3d9a", "#00798c", "#5c5c5c", "#b5179e"];
  var SHAPES = ["circle", "rect", "triangle", "rectRot", "star", "crossRot", "rectRounded", "cross"];
  var DASHES = [[], [6, 3], [2, 2], [8, 3, 2, 3]];
  var lang = document.documentElement.lang || "en";
  var yearFormat = new Intl.DateTimeFormat(lang, { year: "numeric", timeZone: "UTC" });
  var monthFormat = new Intl.DateTimeFormat(lang, { year: "numeric", month: "short", timeZone: "UTC" });
  var numberFormat = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  var payloads = {};

  function payload(sourceId) {
    var element = document.getElementById(sourceId);
    if (!element) { return null; }
    // A swap replaces the JSON element, so the cache is keyed by the element itself.
    if (!payloads[sourceId] || payloads[sourceId].element !== element) {
      payloads[sourceId] = { element: element, data: JSON.parse(element.textContent) };
    }
    return payloads[sourceId].data;
  }

  function findChart(data, id) {
    for (var i = 0; i < data.charts.length; i += 1) {
      if (data.charts[i].id === id) { return data.charts[i]; }
    }
    return null;
  }

  function datasetsFor(chart) {
    var seriesIndex = 0;
    return chart.series.map(function (series) {
      if (series.kind === "target") {
        return {
          label: series.label, data: series.points, yAxisID: "y", borderColor: "#56606d", backgroundColor: "#56606d",
          borderDash: [4, 4], borderWidth: 1.5, pointRadius: 0, pointHitRadius: 6, fill: false, stepped: false
        };
      }
      var i = seriesIndex;
      seriesIndex += 1;
      var colour = COLOURS[i % COLOURS.length];
      return {
        label: series.label, data: series.points, yAxisID: series.axis || "y", borderColor: colour, backgroundColor: colour,
        pointStyle: SHAPES[i % SHAPES.length], borderDash: DASHES[i % DASHES.length], pointRadius: 4,
        pointHoverRadius: 6, borderWidth: 2, tension: 0, fill: false
      };
    });
  }

  function spanOf(chart) {
    var xs = [];
    chart.series.forEach(function (s) { s.points.forEach(function (p) { xs.push(p.x); }); });
    return xs.length ? Math.max.apply(null, xs) - Math.min.apply(null, xs) : 0;
  }

  // A dashboard chart fetches its own points (aggregated by the server) when it scrolls into view, so the page
  // itself carries none; the indicator page still writes its one chart with json_script.
  function fetchAndRender(canvas) {
    if (canvas.dataset.chartReady === "loading") { return; }
    canvas.dataset.chartReady = "loading";
    window.fetch(canvas.dataset.chartUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        var chart = data ? findChart(data, canvas.dataset.chartId) : null;
        if (chart) { render(canvas, data, chart); } else { canvas.dataset.chartReady = "empty"; }
      })
      .catch(function () { canvas.dataset.chartReady = ""; });
  }

  var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) { observer.unobserve(entry.target); fetchAndRender(entry.target); }
    });
  }, { rootMargin: "200px" }) : null;

  function draw(canvas) {
    if (typeof window.Chart === "undefined" || canvas.dataset.chartReady) { return; }
    if (canvas.dataset.chartUrl) {
      if (observer) { observer.observe(canvas); } else { fetchAndRender(canvas); }
      return;
    }
    var data = payload(canvas.dataset.chartSource);
    if (!data) { return; }
    var chart = findChart(data, canvas.dataset.chartId);
    if (!chart) { return; }
    render(canvas, data, chart);
  }

  function render(canvas, data, chart) {
    var labels = data.labels || {};
    var threeYears = 3 * 365 * 24 * 3600 * 1000;
    var tickFormat = spanOf(chart) > threeYears ? yearFormat : monthFormat;
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var scales = {
      x: {
        type: "linear",
        ticks: { maxTicksLimit: 6, callback: function (value) { return tickFormat.format(new Date(value)); } }
      },
      y: {
        title: { display: true, text: chart.axis },
        ticks: { callback: function (value) { return numberFormat.format(value); } }
      }
    };
    // A running total and a count per period never share an axis: the second gets its own, on the right.
    if (chart.axis2) {
      scales.y2 = {
        position: "right", grid: { drawOnChartArea: false },
        title: { display: true, text: chart.axis2 },
        ticks: { callback: function (value) { return numberFormat.format(value); } }
      };
    }
    var existing = window.Chart.getChart(canvas);
    if (existing) { existing.destroy(); }
    new window.Chart(canvas, {
      type: "line",
      data: { datasets: datasetsFor(chart) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 250 },
        interaction: { mode: "nearest", intersect: false },
        scales: scales,
        plugins: {
          legend: { position: "bottom", labels: { usePointStyle: true } },
          tooltip: {
            callbacks: {
              title: function (items) { return items.length ? items[0].raw.period || items[0].dataset.label : ""; },
              label: function (item) { return item.dataset.label + ": " + item.raw.figure; },
              afterLabel: function (item) {
                // A point names its source by index in the chart's list (a target line has none).
                var source = item.raw.s === undefined ? "" : (chart.sources || [])[item.raw.s];
                return source ? (labels.source || "Source") + ": " + source : "";
              }
            }
          }
        }
      }
    });
    canvas.dataset.chartReady = "true";
  }

  function drawAll(root) {
    var canvases = (root || document).querySelectorAll(
      "canvas[data-chart-source][data-chart-id], canvas[data-chart-url][data-chart-id]"
    );
    Array.prototype.forEach.call(canvases, draw);
  }

  function bindPrint(root) {
    var buttons = (root || document).querySelectorAll("[data-action='print']");
    Array.prototype.forEach.call(buttons, function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawAll(document);
    bindPrint(document);
  });
  document.body.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
  // Canvases keep their on-screen size when printed unless Chart.js is told to redraw for the page.
  window.addEventListener("beforeprint", function () {
    Object.values(window.Chart ? window.Chart.instances : {}).forEach(function (chart) { chart.resize(); });
  });
})();
