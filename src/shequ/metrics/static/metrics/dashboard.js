// Draws the dashboard's charts with ECharts from the data the page carries (json_script): no inline
// script (CSP), resized with the window and before printing.
(function () {
  "use strict";
  function start() {
    var source = document.getElementById("metrics-chart");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var charts = [];
    var narrow = window.matchMedia("(max-width: 576px)").matches;
    var legend = { type: "scroll", bottom: 0 };
    var grid = { left: 40, right: 16, top: 24, bottom: narrow ? 70 : 56, containLabel: true };

    function draw(id, option) {
      var node = document.getElementById(id);
      if (!node) { return; }
      var chart = window.echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(option);
      node.setAttribute("data-rendered", "true");
      charts.push(chart);
    }

    draw("chart-rates", {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; } },
      legend: legend, grid: grid,
      xAxis: { type: "category", data: data.months, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: data.rates.map(function (s) { return { name: s.name, type: "line", data: s.data, connectNulls: false }; })
    });
    draw("chart-counts", {
      tooltip: { trigger: "axis" },
      legend: legend, grid: grid,
      xAxis: { type: "category", data: data.months, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value" },
      series: data.counts.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
    });
    if (data.children.length) {
      draw("chart-children", {
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; } },
        legend: legend, grid: grid,
        xAxis: { type: "category", data: data.children, axisLabel: { interval: 0, rotate: data.children.length > 4 ? 30 : 0 } },
        yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        series: data.compared.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
      });
    }
    function resize() { charts.forEach(function (c) { c.resize(); }); }
    window.addEventListener("resize", resize);
    window.addEventListener("beforeprint", resize);
    window.addEventListener("afterprint", resize);
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
