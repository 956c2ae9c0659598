"""`kvtrace report` pages in headless Chromium: every chart drawn and interactive, nothing
logged, thrown or fetched, the expected sections there, and a screenshot that is not blank.

Chromium: the Debian package chromium, or KVTRACE_CHROMIUM. KVTRACE_ARTIFACTS, when set, gets
a copy of every screenshot."""
import dataclasses
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Callable

import pytest

import png
from cdp import Browser, BrowserError, CDPError, find_chromium

SOURCE = Path(os.environ.get("KVTRACE_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BINARY = os.environ.get("KVTRACE_BINARY", str(SOURCE / "build/kvtrace"))
SAMPLE = SOURCE / "examples/fast25-conversation-1k.jsonl"
REPLAYED_REQUESTS = 150

VIEWPORT = (1280, 900)
# A drawn chart has axes, labels and lines: thousands of pixels. A blank canvas has none.
MIN_CHART_INK = 500
# Antialiased text and lines give hundreds of colours; a blank or failed page gives a few.
MIN_SCREENSHOT_COLOURS = 64
# A chart's colour must cover this many pixels of the full-page screenshot.
MIN_CHART_COLOUR_PIXELS = 20

# Per chart: its canvases, the pixels drawn on them that are neither transparent nor white,
# its most used opaque colourful colour (a series' line, not the black text or grey axes),
# and what its ECharts instance holds (series types, data points).
CHARTS_JS = """(() => [...document.querySelectorAll('.kv-chart')].map((el) => {
  const canvases = [...el.querySelectorAll('canvas')];
  let ink = 0, area = 0;
  const colours = new Map();
  for (const canvas of canvases) {
    const ctx = canvas.width && canvas.height && canvas.getContext('2d');
    if (!ctx) continue;
    const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    area += canvas.width * canvas.height;
    for (let i = 0; i < d.length; i += 4) {
      const [r, g, b, a] = [d[i], d[i + 1], d[i + 2], d[i + 3]];
      if (a === 0 || (r > 250 && g > 250 && b > 250)) continue;
      ink++;
      if (a === 255 && Math.max(r, g, b) - Math.min(r, g, b) > 48) {
        const key = (r << 16) | (g << 8) | b;
        colours.set(key, (colours.get(key) || 0) + 1);
      }
    }
  }
  let colour = null, colourPixels = 0;
  for (const [key, n] of colours)
    if (n > colourPixels) [colour, colourPixels] = [[key >> 16, (key >> 8) & 255, key & 255], n];
  const dom = el.matches('[_echarts_instance_]') ? el : el.querySelector('[_echarts_instance_]');
  const chart = window.echarts && dom ? echarts.getInstanceByDom(dom) : null;
  const option = (chart && chart.getOption()) || {};
  const series = option.series || [];
  const size = (v) => Array.isArray(v) ? v.length : (v ? Object.keys(v).length : 0);
  const points = series.reduce((n, s) => n + size(s.data), 0)
      + (option.dataset || []).reduce((n, d) => n + size(d.source), 0);
  return {figure: el.dataset.figure, canvases: canvases.length, area, ink, colour,
          colourPixels, echarts: !!chart, types: series.map((s) => s.type), points};
}))()"""

# The visible ECharts tooltip's text, else null. ECharts marks the tooltip div it appends
# (to the chart, or to its appendTo container) with the domBelongToZr property.
TOOLTIP_JS = """(() => {
  for (const el of document.querySelectorAll('div')) {
    if (!el.domBelongToZr) continue;
    const style = getComputedStyle(el);
    const text = el.innerText.trim();
    if (style.display !== 'none' && style.visibility !== 'hidden' &&
        parseFloat(style.opacity) > 0 && text) return text;
  }
  return null;
})()"""


@dataclasses.dataclass
class Case:
    """One `kvtrace report` command line and the sections its page must and must not have."""
    id: str
    args: Callable  # (pytest request) -> the arguments after `kvtrace report`
    sections: set
    absent: set


def replay_args(request):
    trace, results = request.getfixturevalue("replay_run")
    return [trace, "--replay", results]


CASES = [
    Case("trace", lambda request: [SAMPLE], {"trace"}, {"compare", "replay"}),
    Case("simulate-curve-compare",
         lambda request: [SAMPLE, "--simulate-curve", "--compare",
                          request.getfixturevalue("synthetic_trace")],
         {"trace", "cache", "compare"}, {"replay"}),
    Case("replay", replay_args, {"trace", "replay"}, {"compare"}),
]


def kvtrace(*args, timeout=120):
    return subprocess.run([BINARY, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def check_ran(proc, what):
    assert proc.returncode == 0, (f"{what} exited with {proc.returncode}:\n{proc.stderr}"
                                  f"\n{proc.stdout[-2000:]}")


@pytest.fixture(scope="module")
def chromium():
    path = find_chromium()
    if path is None:
        pytest.skip("Chromium not found: install the Debian package chromium "
                    "(apt-get install chromium), or set KVTRACE_CHROMIUM to a Chromium binary")
    return path


@pytest.fixture(scope="module")
def browser(chromium):
    with Browser(chromium, window_size=VIEWPORT, timeout=60) as b:
        yield b


@pytest.fixture(scope="module")
def synthetic_trace(tmp_path_factory):
    """A trace synthesized from the sample with longer shared prefixes, to compare against."""
    other = tmp_path_factory.mktemp("synthesize") / "other.jsonl"
    check_ran(kvtrace("synthesize", SAMPLE, "-o", other, "--prefix-len-multiplier", "2"),
              "kvtrace synthesize")
    return other


def _first_line(proc, timeout):
    """The first stdout line of proc, read without blocking past timeout."""
    fd = proc.stdout.fileno()
    data = b""
    deadline = time.monotonic() + timeout
    while b"\n" not in data:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    return data.decode(errors="replace").split("\n")[0]


@pytest.fixture(scope="module")
def replay_run(tmp_path_factory):
    """(trace, results folder) of a real replay: the sample's first requests, materialized and
    replayed against `kvtrace mock-server` at 100x speed."""
    work = tmp_path_factory.mktemp("replay")
    trace = work / "trace.jsonl"
    with open(SAMPLE) as sample:
        trace.write_text("".join(sample.readlines()[:REPLAYED_REQUESTS]))
    requests = work / "requests.jsonl"
    proc = kvtrace("materialize", trace, "-o", requests)
    if proc.returncode != 0 and "is not installed" in proc.stderr:
        pytest.skip(f"kvtrace materialize needs the tokenizer and corpus scripts/setup "
                    f"installs: {proc.stderr.strip()}")
    check_ran(proc, "kvtrace materialize")
    results = work / "results"
    with open(work / "server.err", "w+") as server_err:
        # Fast prefill so the replay takes seconds (as scripts/replay-demo).
        server = subprocess.Popen([BINARY, "mock-server", "--port", "0", "--prefill-tps",
                                   "2000000", "--itl-ms", "2"], stdout=subprocess.PIPE,
                                  stderr=server_err, stdin=subprocess.DEVNULL)
        try:
            line = _first_line(server, timeout=30)
            url = line.removeprefix("listening on ")
            server_err.seek(0)
            assert url.startswith("http://"), (f"kvtrace mock-server did not print "
                                               f"'listening on URL' but {line!r}:\n"
                                               f"{server_err.read()}")
            check_ran(kvtrace("replay", requests, "--url", url, "--speedup-ratio", "100",
                              "--slo", "ttft=2000,tpot=20", "--output-dir", results),
                      "kvtrace replay")
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)
            server.stdout.close()
    return trace, results


def write_report(args, out):
    proc = kvtrace("report", *args, "-o", out)
    if proc.returncode == 64 and "chart library" in proc.stderr:
        pytest.skip(f"kvtrace report has no chart library: {proc.stderr.strip()}")
    check_ran(proc, "kvtrace report " + " ".join(map(str, args)))
    assert out.is_file(), f"kvtrace report exited 0 but wrote no {out}"


def save_artifact(path):
    artifacts = os.environ.get("KVTRACE_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(artifacts) / path.name)


class PageCheck:
    """The checks of one report page; `log` says what was checked, `problems` what failed."""

    def __init__(self, page, html, tmp_path, name):
        self.page = page
        self.html = html
        self.tmp_path = tmp_path
        self.name = name
        self.log = []
        self.problems = []
        self.chart_colours = {}  # figure -> its colour, to find on the screenshot

    def problem(self, text):
        self.problems.append(text)
        self.log.append("PROBLEM: " + text)

    def run(self, sections, absent):
        try:
            self.page.navigate(self.html.as_uri(), timeout=60)
            try:
                self.page.wait_for("window.kvtraceReport", timeout=30)
            except BrowserError as e:
                self.problem(f"window.kvtraceReport was never set: {e}")
            else:
                self.check_report_object()
                self.check_charts()
            self.check_csp()
            self.check_sections(sections, absent)
            self.check_screenshot()
        finally:
            # Last, so that whatever the hover and the screenshots triggered is counted too;
            # and also when a check above failed in the browser (the events are collected).
            self.check_quiet()

    def check_report_object(self):
        report = self.page.evaluate("window.kvtraceReport")
        count = self.page.evaluate("document.querySelectorAll('.kv-chart').length")
        self.log.append(f"kvtraceReport: {report}; .kv-chart elements: {count}")
        if report.get("errors"):
            self.problem(f"kvtraceReport.errors: {report['errors']}")
        if not report.get("charts"):
            self.problem(f"kvtraceReport.charts is {report.get('charts')!r}: no charts")
        if report.get("rendered") != report.get("charts"):
            self.problem(f"kvtraceReport: rendered {report.get('rendered')} of "
                         f"{report.get('charts')} charts")
        if report.get("charts") != count:
            self.problem(f"kvtraceReport.charts is {report.get('charts')} but the page has "
                         f"{count} .kv-chart elements")

    def check_charts(self):
        charts = self.page.evaluate(CHARTS_JS)
        for chart in charts:
            figure = chart["figure"]
            self.log.append(f"chart {figure}: {chart['canvases']} canvas(es), {chart['ink']} "
                            f"drawn pixels of {chart['area']}, colour {chart['colour']} on "
                            f"{chart['colourPixels']}, series {chart['types']}, "
                            f"{chart['points']} data points")
            if chart["colour"]:
                self.chart_colours[figure] = tuple(chart["colour"])
            if not chart["canvases"]:
                self.problem(f"chart {figure}: no canvas (ECharts canvas renderer not run)")
            elif chart["ink"] < MIN_CHART_INK:
                self.problem(f"chart {figure}: its canvas is blank ({chart['ink']} drawn pixels"
                             f" of {chart['area']}; want >= {MIN_CHART_INK})")
            if not chart["echarts"]:
                self.problem(f"chart {figure}: no ECharts instance on it")
            elif not chart["points"]:
                self.problem(f"chart {figure}: no data points in its series or dataset")
        line_charts = [i for i, chart in enumerate(charts) if "line" in chart["types"]]
        if not line_charts:
            self.problem("no line chart to hover over")
        else:
            self.check_hover(line_charts[0], charts[line_charts[0]]["figure"])

    def check_hover(self, index, figure):
        """A real mouse move over the middle of a line chart shows ECharts' tooltip."""
        centre = self.page.evaluate(f"""(() => {{
            const el = document.querySelectorAll('.kv-chart')[{index}];
            el.scrollIntoView({{block: 'center'}});
            const r = el.querySelector('canvas').getBoundingClientRect();
            return {{x: r.left + r.width / 2, y: r.top + r.height / 2}};
        }})()""")
        self.page.mouse_move(centre["x"], centre["y"])
        try:
            text = self.page.wait_for(TOOLTIP_JS, timeout=5)
        except BrowserError:
            self.problem(f"chart {figure}: no tooltip became visible after a mouse move to "
                         f"the middle of its canvas ({centre['x']:.0f}, {centre['y']:.0f})")
        else:
            self.log.append(f"chart {figure}: hover shows tooltip {text[:80]!r}")
        self.page.mouse_move(0, 0)

    def check_csp(self):
        csp = self.page.evaluate("""(() => {
            const m = document.querySelector('meta[http-equiv="Content-Security-Policy"]');
            return m ? m.content : null; })()""")
        self.log.append(f"CSP: {csp!r}")
        if not csp or "default-src 'none'" not in csp:
            self.problem(f"no Content-Security-Policy meta with default-src 'none': {csp!r}")

    def check_sections(self, sections, absent):
        present = set(self.page.evaluate(
            "[...document.querySelectorAll('section.kv-section')].map((s) => s.id)"))
        self.log.append(f"sections: {sorted(present)}")
        if sections - present:
            self.problem(f"sections missing: {sorted(sections - present)} "
                         f"(present: {sorted(present)})")
        if absent & present:
            self.problem(f"sections that this command line should not produce: "
                         f"{sorted(absent & present)}")
        # One screenshot per section, as the docs will take them.
        for section in sorted(present):
            path = self.page.element_screenshot(f"section.kv-section#{section}",
                                                self.tmp_path / f"{self.name}-{section}.png",
                                                optimize_for_speed=True)
            save_artifact(path)
            colours = len(png.read(path).colour_counts())
            self.log.append(f"section {section}: screenshot {path.name}, {colours} colours")
            if colours < MIN_SCREENSHOT_COLOURS:
                self.problem(f"section {section}: its screenshot looks blank "
                             f"({colours} colours)")

    def check_screenshot(self):
        # optimizeForSpeed: rows without Paeth filters, which pure Python decodes slowly.
        path = self.page.screenshot(self.tmp_path / f"{self.name}.png",
                                    optimize_for_speed=True)
        save_artifact(path)
        image = png.read(path)
        counts = image.colour_counts()
        pixels = image.width * image.height
        white = counts[(255,) * image.channels]
        self.log.append(f"screenshot {path}: {image.width}x{image.height}, {len(counts)} "
                        f"colours, {white / pixels:.0%} white")
        if len(counts) < MIN_SCREENSHOT_COLOURS:
            self.problem(f"the full-page screenshot looks blank: {len(counts)} colours")
        if white * 2 < pixels:
            self.problem(f"the full-page screenshot is only {white / pixels:.0%} white")
        # Each chart's own colour shows that the screenshot caught the drawn charts.
        opaque = (255,) * (image.channels - 3)
        for figure, colour in self.chart_colours.items():
            found = counts[colour + opaque]
            self.log.append(f"chart {figure}: colour {colour} on {found} screenshot pixels")
            if found < MIN_CHART_COLOUR_PIXELS:
                self.problem(f"chart {figure}: its colour {colour} is on only {found} pixels "
                             f"of the screenshot (want >= {MIN_CHART_COLOUR_PIXELS})")
        if not self.chart_colours:
            self.problem("no chart has a colourful opaque pixel to look for on the screenshot")

    def check_quiet(self):
        """No console error or warning, no exception, no request beyond the page itself."""
        for message in self.page.console:
            if message.level in ("error", "warning"):
                self.problem(f"console {message.level} ({message.origin}): {message.text}")
        for exception in self.page.exceptions:
            self.problem(f"exception: {exception}")
        own = self.html.as_uri()
        requests = self.page.requests
        self.log.append(f"requests: {requests}")
        for url in requests:
            if url != own and not url.startswith("data:"):
                self.problem(f"network request: {url}")
        for failed in self.page.failed_loads:
            self.problem(f"failed load: {failed.url}: {failed.error}"
                         + (f" (blocked: {failed.blocked_reason})" if failed.blocked_reason
                            else ""))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_report_page(case, chromium, request, tmp_path):
    html = tmp_path / f"report-{case.id}.html"
    write_report(case.args(request), html)
    # Chromium starts (once per module) only when there is a page to open.
    page = request.getfixturevalue("browser").new_page(*VIEWPORT)
    check = PageCheck(page, html, tmp_path, f"report-{case.id}")
    try:
        check.run(case.sections, case.absent)
    except (BrowserError, CDPError) as e:
        check.problem(f"the browser failed: {e}")
    finally:
        print("\n".join(check.log))
        page.close()
    if check.problems:
        pytest.fail(f"{html}:\n" + "\n".join(check.problems), pytrace=False)
