/* The leaders' cockpit: draws the figures the page carries (#cockpit-data) with ECharts.
   Every chart element opens the list behind it: each datum carries its own `url`. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("cockpit-data").textContent);
  var text = JSON.parse(document.getElementById("cockpit-text").textContent);
  var COLOURS = { green: "#2fb344", yellow: "#f59f00", red: "#d63939", "": "#868e96" };
  var BLUE = "#206bc4";
  var WAN = 10000;
  var charts = [];

  function wan(value) {
    return value === null || value === undefined ? null : Math.round((Number(value) / WAN) * 100) / 100;
  }

  function formatWan(value) {
    return value === null || value === undefined
      ? "—"
      : value.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  /* Tooltips are HTML: every name and label in them is escaped first. */
  function esc(value) {
    return echarts.format.encodeHTML(String(value === null || value === undefined ? "—" : value));
  }

  function open(url) {
    if (url) {
      window.location.assign(url);
    }
  }

  /* Make a chart in the element `id`; `urlOf(params)` names the list a click opens. */
  function make(id, option, urlOf) {
    var element = document.getElementById(id);
    if (!element || typeof echarts === "undefined") {
      return null;
    }
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(option);
    if (urlOf) {
      chart.on("click", function (params) {
        open(urlOf(params));
      });
    }
    element.dataset.ready = "1";
    charts.push(chart);
    return chart;
  }

  var base = {
    animation: false,
    aria: { enabled: true },
    textStyle: { fontFamily: "inherit", fontSize: 11 },
  };

  function extend(option) {
    return Object.assign({}, base, option);
  }

  function countBars(id, items, colour) {
    return make(
      id,
      extend({
        grid: { left: 8, right: 8, top: 18, bottom: 4, containLabel: true },
        tooltip: { trigger: "item", formatter: function (p) { return esc(p.name) + ": " + esc(p.value) + "<br><small>" + esc(text.open_list) + "</small>"; } },
        xAxis: { type: "category", data: items.map(function (i) { return i.label; }), axisLabel: { interval: 0, fontSize: 10 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [{
          type: "bar",
          cursor: "pointer",
          label: { show: true, position: "top" },
          itemStyle: { color: colour || BLUE },
          data: items.map(function (i) {
            return { value: i.count, url: i.url };
          }),
        }],
      }),
      function (p) { return p.data && p.data.url; }
    );
  }

  /* The four batches and the stages. */
  countBars("chart-batches", data.batches);
  countBars("chart-stages", data.stages, "#4299e1");

  /* Completed share of the annual plan, with the 序时 share as a second needle. */
  var summary = data.summary;
  var share = summary.share === null ? 0 : Number(summary.share);
  var expectedShare = summary.expected_share === null ? 0 : Number(summary.expected_share);
  make(
    "chart-gauge",
    extend({
      tooltip: { formatter: function (p) { return esc(p.name) + ": " + esc(p.value) + "%"; } },
      series: [{
        type: "gauge",
        cursor: "pointer",
        min: 0,
        max: Math.max(100, Math.ceil(Math.max(share, expectedShare) / 10) * 10),
        radius: "88%",
        center: ["50%", "55%"],
        progress: { show: false },
        axisLine: { lineStyle: { width: 10, color: [[1, "#e9ecef"]] } },
        axisTick: { show: false },
        splitLine: { length: 6 },
        axisLabel: { distance: 12, fontSize: 9 },
        pointer: { width: 4 },
        detail: { valueAnimation: false, formatter: "{value}%", fontSize: 16, offsetCenter: [0, "55%"] },
        title: { offsetCenter: [0, "78%"], fontSize: 10 },
        data: [
          { value: share, name: text.share, url: summary.projects_url, itemStyle: { color: summary.gap_points === null ? BLUE : COLOURS[paceLight(summary.gap_points)] } },
          { value: expectedShare, name: text.expected_share, url: summary.behind_url, itemStyle: { color: "#868e96" }, detail: { show: false }, title: { show: false }, pointer: { width: 2 } },
        ],
      }],
    }),
    function (p) { return p.data && p.data.url; }
  );

  /* This month's lights. */
  make(
    "chart-lights",
    extend({
      tooltip: { trigger: "item", formatter: function (p) { return esc(p.name) + ": " + esc(p.value) + " (" + esc(p.percent) + "%)<br><small>" + esc(text.open_list) + "</small>"; } },
      series: [{
        type: "pie",
        cursor: "pointer",
        radius: ["40%", "72%"],
        center: ["50%", "52%"],
        label: { formatter: "{c}", fontSize: 11 },
        data: data.lights.month.map(function (l) {
          return { name: l.label, value: l.count, url: l.url, itemStyle: { color: COLOURS[l.key] } };
        }),
      }],
    }),
    function (p) { return p.data && p.data.url; }
  );

  /* Investment by month: cumulative completed against 序时 and the annual plan. */
  var months = data.investment.months;
  var plan = wan(data.investment.annual_target);
  make(
    "chart-investment",
    extend({
      grid: { left: 8, right: 12, top: 28, bottom: 4, containLabel: true },
      legend: { top: 0, itemHeight: 8, textStyle: { fontSize: 10 } },
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var index = items[0].dataIndex;
          var lines = [esc(text.months[index])];
          items.forEach(function (item) {
            lines.push(item.marker + esc(item.seriesName) + ": " + esc(formatWan(item.value)));
          });
          lines.push(esc(text.behind) + ": " + esc(months[index].behind));
          lines.push("<small>" + esc(text.open_list) + "</small>");
          return lines.join("<br>");
        },
      },
      xAxis: { type: "category", data: text.months, axisLabel: { fontSize: 10 } },
      yAxis: { type: "value", name: text.wan, nameTextStyle: { fontSize: 10 } },
      series: [
        { name: text.completed, type: "bar", cursor: "pointer", itemStyle: { color: BLUE },
          data: months.map(function (m) { return { value: wan(m.completed), url: m.url }; }) },
        { name: text.expected, type: "line", cursor: "pointer", symbolSize: 6, itemStyle: { color: COLOURS.yellow },
          data: months.map(function (m) { return { value: wan(m.expected), url: m.url }; }) },
        { name: text.plan, type: "line", symbol: "none", lineStyle: { type: "dashed", color: "#868e96" }, itemStyle: { color: "#868e96" },
          data: months.map(function (m) { return { value: plan, url: m.url }; }) },
      ],
    }),
    function (p) { return p.data && p.data.url; }
  );

  /* Lights month by month. */
  make(
    "chart-lights-months",
    extend({
      grid: { left: 8, right: 8, top: 28, bottom: 4, containLabel: true },
      legend: { top: 0, itemHeight: 8, textStyle: { fontSize: 10 } },
      tooltip: { trigger: "item", formatter: function (p) { return esc(text.months[p.dataIndex]) + " " + esc(p.seriesName) + ": " + esc(p.value) + "<br><small>" + esc(text.open_list) + "</small>"; } },
      xAxis: { type: "category", data: text.months, axisLabel: { fontSize: 10 } },
      yAxis: { type: "value", minInterval: 1 },
      series: data.lights.legend.map(function (l) {
        return {
          name: l.label,
          type: "bar",
          stack: "lights",
          cursor: "pointer",
          itemStyle: { color: COLOURS[l.key] },
          data: data.lights.by_month[l.key].map(function (d) { return { value: d.count, url: d.url }; }),
        };
      }),
    }),
    function (p) { return p.data && p.data.url; }
  );

  /* The light a gap to 序时 earns, by the deployment's thresholds (as the lights have it). */
  function paceLight(gap) {
    var behind = -Number(gap);
    var limits = data.lights.thresholds;
    return behind > limits.red ? "red" : behind < limits.yellow ? "green" : "yellow";
  }

  /* Owner units: completed share against 序时 share, furthest ahead on top. */
  var ranked = data.ranking.filter(function (r) { return r.share !== null; }).slice(0, 20).reverse();
  var rankingElement = document.getElementById("chart-ranking");
  if (rankingElement) {
    rankingElement.style.height = Math.max(160, 40 + ranked.length * 22) + "px";
  }
  make(
    "chart-ranking",
    extend({
      grid: { left: 8, right: 16, top: 24, bottom: 4, containLabel: true },
      legend: { top: 0, itemHeight: 8, textStyle: { fontSize: 10 } },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: function (items) {
          var r = ranked[items[0].dataIndex];
          return esc(r.unit) + "<br>" + esc(text.share) + ": " + esc(r.share) + "%<br>" +
            esc(text.expected_share) + ": " + esc(r.expected_share) + "%<br>" + esc(text.gap) + ": " +
            esc(r.gap_points) + "<br>" + esc(text.projects) + ": " + esc(r.projects) +
            "<br><small>" + esc(text.open_list) + "</small>";
        },
      },
      xAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: ranked.map(function (r) { return r.unit; }), axisLabel: { fontSize: 10, width: 110, overflow: "truncate" } },
      series: [
        { name: text.share, type: "bar", cursor: "pointer",
          data: ranked.map(function (r) {
            return { value: Number(r.share), url: r.projects_url, itemStyle: { color: COLOURS[paceLight(r.gap_points)] } };
          }) },
        { name: text.expected_share, type: "scatter", symbol: "rect", symbolSize: [3, 14], itemStyle: { color: "#212529" },
          data: ranked.map(function (r) { return { value: Number(r.expected_share), url: r.projects_url }; }) },
      ],
    }),
    function (p) { return p.data && p.data.url; }
  );

  /* Closure of supervised tasks and problems. */
  function closure(id, block) {
    if (!block) {
      return;
    }
    var colours = { closed: COLOURS.green, open: BLUE, overdue: COLOURS.red };
    make(
      id,
      extend({
        grid: { left: 8, right: 40, top: 8, bottom: 4, containLabel: true },
        tooltip: { trigger: "item", formatter: function (p) { return esc(p.name) + ": " + esc(p.value) + "<br><small>" + esc(text.open_list) + "</small>"; } },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", inverse: true, data: block.bars.map(function (b) { return b.label; }) },
        series: [{
          type: "bar",
          cursor: "pointer",
          label: { show: true, position: "right" },
          data: block.bars.map(function (b) {
            return { value: b.count, url: b.url, itemStyle: { color: colours[b.key] } };
          }),
        }],
      }),
      function (p) { return p.data && p.data.url; }
    );
  }
  closure("chart-tasks", data.tasks);
  closure("chart-problems", data.problems);

  /* The map: projects placed by longitude and latitude in Web Mercator, coloured by light.
     No background by default; with a tile server configured, its tiles are drawn beneath. */
  function mercator(lon, lat) {
    var rad = (Math.max(-85, Math.min(85, lat)) * Math.PI) / 180;
    return [
      ((lon + 180) / 360) * 256,
      ((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * 256,
    ];
  }

  function tileUrl(template, z, x, y) {
    return template
      .replace("{z}", z).replace("{x}", x).replace("{y}", y)
      .replace("{s}", "abc".charAt((x + y) % 3));
  }

  function drawMap() {
    var element = document.getElementById("chart-map");
    if (!element) {
      return;
    }
    var map = data.map;
    // Each point is [id, longitude, latitude, light, name] (map.fields).
    var points = map.points.map(function (p) {
      var xy = mercator(p[1], p[2]);
      return { value: [xy[0], xy[1]], id: p[0], name: p[4], light: p[3], itemStyle: { color: COLOURS[p[3]] || COLOURS[""] } };
    });
    if (!points.length) {
      element.classList.add("chart-empty");
      element.textContent = text.no_data;
      return;
    }
    // The points' extent, padded, then widened to the element's shape so that the map keeps
    // its proportions.
    var xs = points.map(function (p) { return p.value[0]; });
    var ys = points.map(function (p) { return p.value[1]; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    var pad = Math.max(x1 - x0, y1 - y0, 0.002) * 0.08;
    x0 -= pad; x1 += pad; y0 -= pad; y1 += pad;
    var aspect = (element.clientWidth || 600) / (element.clientHeight || 360);
    if ((x1 - x0) / (y1 - y0) < aspect) {
      var wide = ((y1 - y0) * aspect - (x1 - x0)) / 2;
      x0 -= wide; x1 += wide;
    } else {
      var tall = ((x1 - x0) / aspect - (y1 - y0)) / 2;
      y0 -= tall; y1 += tall;
    }
    var series = [{
      type: "scatter",
      cursor: "pointer",
      symbolSize: 8,
      large: points.length > 2000,
      z: 3,
      data: points,
    }];
    if (map.tiles) {
      series.unshift({
        type: "custom",
        silent: true,
        clip: true,
        z: 1,
        data: [],
        renderItem: function (params, api) {
          var tile = api.value(0), ty = api.value(1), z = api.value(2);
          var size = 256 / Math.pow(2, z);
          var a = api.coord([tile * size, ty * size]);
          var b = api.coord([(tile + 1) * size, (ty + 1) * size]);
          return {
            type: "image",
            silent: true,
            style: {
              image: tileUrl(map.tiles, z, tile, ty),
              x: Math.min(a[0], b[0]), y: Math.min(a[1], b[1]),
              width: Math.abs(b[0] - a[0]) + 0.5, height: Math.abs(b[1] - a[1]) + 0.5,
            },
          };
        },
      });
    }
    var chart = make(
      "chart-map",
      extend({
        grid: { left: 0, right: 0, top: 0, bottom: 0 },
        tooltip: { trigger: "item", formatter: function (p) { return p.data && p.data.name ? esc(p.data.name) + "<br><small>" + esc(text.open_project) + "</small>" : ""; } },
        xAxis: { type: "value", min: x0, max: x1, show: false, scale: true },
        yAxis: { type: "value", min: y0, max: y1, inverse: true, show: false, scale: true },
        dataZoom: [{ type: "inside", xAxisIndex: 0, yAxisIndex: 0, filterMode: "none" }],
        series: series,
      }),
      function (p) {
        return p.data && p.data.id ? map.project_url + p.data.id + "/?year=" + data.year : null;
      }
    );
    if (chart && map.tiles) {
      var layTiles = function () {
        var width = element.clientWidth || 600, height = element.clientHeight || 360;
        var corner = chart.convertFromPixel({ gridIndex: 0 }, [0, 0]);
        var across = chart.convertFromPixel({ gridIndex: 0 }, [width, height]);
        var xs = [Math.min(corner[0], across[0]), Math.max(corner[0], across[0])];
        var ys = [Math.min(corner[1], across[1]), Math.max(corner[1], across[1])];
        var z = Math.max(0, Math.min(18, Math.round(Math.log2(width / (xs[1] - xs[0])))));
        var size = 256 / Math.pow(2, z), last = Math.pow(2, z) - 1, tiles = [];
        var clamp = function (v) { return Math.max(0, Math.min(last, v)); };
        for (var tx = clamp(Math.floor(xs[0] / size)); tx <= clamp(Math.floor(xs[1] / size)); tx++) {
          for (var ty = clamp(Math.floor(ys[0] / size)); ty <= clamp(Math.floor(ys[1] / size)); ty++) {
            if (tiles.length < 100) {
              tiles.push([tx, ty, z]);
            }
          }
        }
        chart.setOption({ series: [{ data: tiles }] });
      };
      layTiles();
      chart.on("datazoom", layTiles);
      element.dataset.tiles = "1";
    }
  }
  drawMap();

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });

  document.querySelectorAll("[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
