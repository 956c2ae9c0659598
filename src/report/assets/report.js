// The kvtrace report page: builds the page from its data (<script id="kv-data">, written by
// kvtrace report, include/kvtrace/report/figure.hpp) and draws each figure with ECharts.
// Under Node.js it only exports optionFor(), which export.js uses to draw the same figures
// as SVG files.
(function () {
  'use strict';

  var PALETTE = ['#2f6db5', '#e07b27', '#3a9a5b', '#c23b3b', '#7a5cb8', '#8c6a3f', '#d062a8',
                 '#5b8f9e'];

  function formatNumber(v, percent) {
    if (v === null || v === undefined || !isFinite(v)) return '-';
    if (percent) {
      var p = v * 100;
      return (Math.abs(p) >= 10 || p === 0 ? p.toFixed(1) : p.toPrecision(2)) + '%';
    }
    var a = Math.abs(v);
    if (a >= 1e9) return +(v / 1e9).toPrecision(3) + 'G';
    if (a >= 1e6) return +(v / 1e6).toPrecision(3) + 'M';
    if (a >= 1e4) return +(v / 1e3).toPrecision(3) + 'k';
    if (a >= 100 || a === 0) return String(Math.round(v));
    return String(+v.toPrecision(3));
  }

  function axisOption(axis, isX, exporting) {
    var o = {
      name: axis.name,
      nameLocation: 'middle',
      nameGap: isX ? 30 : 48,
      nameTextStyle: {color: '#444'},
      axisLabel: {
        hideOverlap: true,
        formatter: function (v) { return formatNumber(v, axis.percent); }
      },
      splitLine: {show: !isX, lineStyle: {color: '#e8e8e8'}}
    };
    if (axis.scale === 'category') {
      o.type = 'category';
      o.data = axis.categories;
      o.axisLabel = {interval: 0};
    } else if (axis.scale === 'log') {
      o.type = 'log';
      o.logBase = 10;
    } else {
      o.type = 'value';
    }
    if (axis.scale !== 'category') {
      if (axis.min !== undefined) o.min = axis.min;
      else if (isX) o.min = 'dataMin';
      if (axis.max !== undefined) o.max = axis.max;
      else if (isX) o.max = 'dataMax';
    }
    if (exporting) o.axisLabel.color = '#333';
    return o;
  }

  function seriesOption(s, index, fig) {
    var color = PALETTE[index % PALETTE.length];
    var o = {name: s.name, data: s.points, yAxisIndex: s.right ? 1 : 0, color: color};
    if (s.style === 'bar') {
      o.type = 'bar';
      if (s.stack) o.stack = s.stack;
      o.barMaxWidth = 28;
    } else if (s.style === 'scatter') {
      o.type = 'scatter';
      o.symbolSize = 4;
    } else {
      o.type = 'line';
      o.showSymbol = false;
      o.symbolSize = 4;
      o.lineStyle = {width: 1.6};
      o.emphasis = {disabled: true};
      if (s.style === 'step' || s.style === 'histogram') o.step = 'end';
      if (s.style === 'histogram') o.areaStyle = {opacity: fig.series.length > 1 ? 0.25 : 0.4};
    }
    return o;
  }

  function markOption(marks) {
    return {
      silent: true,
      symbol: 'none',
      lineStyle: {type: 'dashed', color: '#666', width: 1.2},
      label: {formatter: '{b}', color: '#333', fontSize: 11},
      data: marks.map(function (m) {
        var d = {name: m.label};
        d[m.vertical ? 'xAxis' : 'yAxis'] = m.value;
        d.label = {position: m.vertical ? 'insideEndTop' : 'insideStartTop'};
        return d;
      })
    };
  }

  // One tooltip line per series under the pointer; a histogram's point names its bin.
  function tooltipFormatter(fig) {
    return function (params) {
      if (!Array.isArray(params)) params = [params];
      if (params.length === 0) return '';
      var first = params[0];
      var s0 = fig.series[first.seriesIndex];
      var x = s0.points[first.dataIndex][0];
      var head;
      if (fig.x.scale === 'category') {
        head = fig.x.categories[x];
      } else if (s0.style === 'histogram' && first.dataIndex + 1 < s0.points.length) {
        head = formatNumber(x, fig.x.percent) + ' to ' +
               formatNumber(s0.points[first.dataIndex + 1][0], fig.x.percent);
      } else {
        head = formatNumber(x, fig.x.percent);
      }
      if (fig.x_also) head += ' (= ' + formatNumber(x * fig.x_also.factor, false) + ' ' + fig.x_also.unit + ')';
      var lines = [fig.x.name + ': ' + head];
      params.forEach(function (p) {
        var s = fig.series[p.seriesIndex];
        var axis = s.right && fig.y2 ? fig.y2 : fig.y;
        lines.push(p.marker + s.name + ': ' + formatNumber(s.points[p.dataIndex][1], axis.percent));
      });
      return lines.join('<br>');
    };
  }

  // The ECharts option of one figure; `exporting` adds the title a standalone image needs.
  function optionFor(fig, exporting) {
    var multi = fig.series.length > 1;
    var o = {
      animation: false,
      textStyle: {fontFamily: 'DejaVu Sans, Helvetica, Arial, sans-serif'},
      grid: {left: 64, right: fig.y2 ? 64 : 24, top: (multi ? 34 : 16) + (exporting ? 30 : 0),
             bottom: fig.zoom && !exporting ? 70 : 46},
      xAxis: axisOption(fig.x, true, exporting),
      yAxis: [axisOption(fig.y, false, exporting)],
      series: fig.series.map(function (s, i) { return seriesOption(s, i, fig); })
    };
    if (fig.y2) {
      var y2 = axisOption(fig.y2, false, exporting);
      y2.splitLine = {show: false};
      o.yAxis.push(y2);
    }
    if (multi) o.legend = {top: exporting ? 30 : 0, type: 'scroll', itemHeight: 10};
    if (exporting) o.title = {text: fig.title, left: 'center', textStyle: {fontSize: 15}};
    if (fig.marks.length > 0 && o.series.length > 0) o.series[0].markLine = markOption(fig.marks);
    if (!exporting) {
      o.tooltip = {
        trigger: 'axis',
        axisPointer: {type: fig.x.scale === 'category' ? 'shadow' : 'line'},
        formatter: tooltipFormatter(fig),
        confine: true
      };
      if (fig.zoom) {
        o.dataZoom = [{type: 'inside', xAxisIndex: 0, filterMode: 'none'},
                      {type: 'slider', xAxisIndex: 0, filterMode: 'none', height: 16, bottom: 8}];
      }
    }
    return o;
  }

  function element(doc, tag, className, text) {
    var e = doc.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function render(doc, win) {
    var started = win.performance.now();
    var data = JSON.parse(doc.getElementById('kv-data').textContent);
    var root = doc.getElementById('kv-root');
    var header = element(doc, 'header', 'kv-header');
    header.appendChild(element(doc, 'h1', '', data.title));
    header.appendChild(element(doc, 'p', 'kv-generator',
                               data.generator + ' \u00b7 charts by Apache ECharts ' + win.echarts.version +
                               ' \u00b7 hover for values, drag or scroll time axes to zoom'));
    var nav = element(doc, 'nav', 'kv-nav');
    data.sections.forEach(function (s) {
      var a = element(doc, 'a', '', s.title);
      a.href = '#' + s.id;
      nav.appendChild(a);
    });
    header.appendChild(nav);
    root.appendChild(header);

    var pending = [];
    data.sections.forEach(function (s) {
      var section = element(doc, 'section', 'kv-section');
      section.id = s.id;
      section.appendChild(element(doc, 'h2', '', s.title));
      if (s.intro) section.appendChild(element(doc, 'p', 'kv-intro', s.intro));
      var grid = element(doc, 'div', 'kv-grid');
      s.figures.forEach(function (f) {
        var figure = element(doc, 'figure', 'kv-figure');
        figure.id = 'figure-' + f.id;
        figure.appendChild(element(doc, 'h3', '', f.title));
        var chart = element(doc, 'div', 'kv-chart');
        chart.setAttribute('data-figure', f.id);
        figure.appendChild(chart);
        if (f.note) figure.appendChild(element(doc, 'figcaption', '', f.note));
        grid.appendChild(figure);
        pending.push({el: chart, fig: f});
      });
      section.appendChild(grid);
      s.tables.forEach(function (t) {
        var details = element(doc, 'details', 'kv-table');
        details.open = true;
        details.appendChild(element(doc, 'summary', '', t.title));
        details.appendChild(element(doc, 'pre', '', t.text));
        section.appendChild(details);
      });
      root.appendChild(section);
    });

    var report = {charts: pending.length, rendered: 0, failed: 0, errors: win.kvtraceErrors || [],
                  ms: 0};
    var charts = [];
    // Done when every chart is drawn or has failed (a failure is in report.errors).
    var settle = function () {
      if (report.rendered + report.failed !== report.charts) return;
      report.ms = win.performance.now() - started;
      win.kvtraceReport = report;
    };
    pending.forEach(function (p) {
      try {
        var chart = win.echarts.init(p.el, null, {renderer: 'canvas'});
        var counted = false;
        chart.on('finished', function () {
          if (counted) return;
          counted = true;
          report.rendered += 1;
          settle();
        });
        chart.setOption(optionFor(p.fig, false));
        charts.push(chart);
      } catch (e) {
        report.errors.push(p.fig.id + ': ' + e);
        report.failed += 1;
        settle();
      }
    });
    settle();
    win.addEventListener('resize', function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }

  if (typeof module !== 'undefined' && module.exports) {
    module.exports = {optionFor: optionFor, formatNumber: formatNumber};
  } else {
    render(document, window);
  }
})();
