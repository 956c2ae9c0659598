// Draws every figure of a kvtrace report as an SVG file, with the page's own option builder
// (report.js) and ECharts' server-side SVG renderer, so an image is the chart the page shows.
// Usage: node export.js DATA.json OUT_DIR (kvtrace report --svg/--png run it).
'use strict';
const fs = require('fs');
const path = require('path');
const echarts = require('./echarts.js');
const {optionFor} = require('./report.js');

const [dataFile, outDir] = process.argv.slice(2);
const data = JSON.parse(fs.readFileSync(dataFile, 'utf8'));
for (const section of data.sections) {
  for (const figure of section.figures) {
    const chart = echarts.init(null, null, {renderer: 'svg', ssr: true, width: 800, height: 450});
    chart.setOption(optionFor(figure, true));
    const svg = chart.renderToSVGString();
    chart.dispose();
    // A white background: viewers show a transparent SVG on black or on a checkerboard.
    const filled = svg.replace(/(<svg[^>]*>)/, '$1<rect width="100%" height="100%" fill="#fff"/>');
    fs.writeFileSync(path.join(outDir, figure.id + '.svg'), filled);
  }
}
