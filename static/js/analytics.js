/* SMS Analytics: draw each chart from the table beside it (the table is the source of truth and
   works without JavaScript). Series differ by line dash, point shape and fill pattern, not only
   by colour. Chart.js is served from static/vendor (no CDN). */
(function () {
  "use strict";

  var SERIES = {
    sent: { label: "Sent", color: "#2457c5", dash: [], point: "circle" },
    delivered: { label: "Delivered", color: "#1f7a4d", dash: [8, 4], point: "triangle" },
    failed: { label: "Failed", color: "#b3261e", dash: [2, 3], point: "rect" },
    replies: { label: "Replies", color: "#7a4bc2", dash: [12, 4, 2, 4], point: "rectRot" },
    opt_outs: { label: "Opt-outs", color: "#8a5a00", dash: [16, 6], point: "crossRot" }
  };
  var BAR_SERIES = ["sent", "delivered", "replies"];
  var BAR_ROWS = 10;

  // Fill patterns for bars: solid, diagonal stripes, dots.
  function pattern(kind, color) {
    if (kind === 0) { return color; }
    var canvas = document.createElement("canvas");
    canvas.width = canvas.height = 8;
    var ctx = canvas.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, 8, 8);
    ctx.strokeStyle = ctx.fillStyle = color;
    if (kind === 1) {
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(0, 8); ctx.lineTo(8, 0);
      ctx.moveTo(-2, 2); ctx.lineTo(2, -2);
      ctx.moveTo(6, 10); ctx.lineTo(10, 6);
      ctx.stroke();
    } else {
      ctx.beginPath();
      ctx.arc(4, 4, 2, 0, Math.PI * 2);
      ctx.fill();
    }
    return ctx.createPattern(canvas, "repeat");
  }

  function readTable(table, wanted) {
    var columns = {};
    table.querySelectorAll("thead th").forEach(function (th, index) {
      if (th.dataset.series) { columns[th.dataset.series] = index; }
    });
    var labels = [], values = {};
    wanted.forEach(function (key) { values[key] = []; });
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      var header = tr.querySelector("th[data-label]");
      if (!header) { return; }
      labels.push(header.dataset.label);
      var cells = tr.children;
      wanted.forEach(function (key) {
        var cell = cells[columns[key]];
        values[key].push(cell ? Number(cell.dataset.value || 0) : 0);
      });
    });
    return { labels: labels, values: values };
  }

  function draw(box) {
    var table = document.getElementById(box.dataset.chartTable);
    if (!table || !window.Chart) { return; }
    var line = box.dataset.chart === "line";
    var wanted = line ? Object.keys(SERIES) : BAR_SERIES;
    var data = readTable(table, wanted);
    if (!data.labels.length) { return; }
    if (!line) {
      data.labels = data.labels.slice(0, BAR_ROWS);
      wanted.forEach(function (key) { data.values[key] = data.values[key].slice(0, BAR_ROWS); });
    }
    if (!line) {
      // Bars: as tall as their rows need (a few rows should not fill a tall box).
      box.style.height = Math.max(160, 70 + data.labels.length * 54) + "px";
      box.style.minHeight = "0";
    }
    // Shown before the chart is made, so that Chart.js measures the real box (a hidden one is
    // 0 px and would be drawn again, blank for a frame, once shown).
    box.hidden = false;
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", box.dataset.chartLabel || "Chart");
    box.appendChild(canvas);
    var datasets = wanted.map(function (key, index) {
      var s = SERIES[key];
      return line ? {
        label: s.label, data: data.values[key], borderColor: s.color, backgroundColor: s.color,
        borderDash: s.dash, pointStyle: s.point, pointRadius: 3, borderWidth: 2, tension: 0
      } : {
        label: s.label, data: data.values[key], backgroundColor: pattern(index, s.color),
        borderColor: s.color, borderWidth: 1.5
      };
    });
    box.chart = new window.Chart(canvas, {
      type: line ? "line" : "bar",
      data: { labels: data.labels, datasets: datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: line ? "x" : "y",
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { labels: { usePointStyle: true } } },
        scales: line ? { y: { beginAtZero: true, ticks: { precision: 0 } } }
                     : { x: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }

  function init() {
    document.querySelectorAll(".chart-box[data-chart]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
