"""A minimal Chrome DevTools Protocol client over --remote-debugging-pipe (stdlib only).

Chromium reads commands from its fd 3 and writes replies and events to its fd 4, each message
JSON ended by a NUL byte. One reader thread parses what Chromium writes; callers block on a
condition with a timeout, so a hung or crashed Chromium fails the caller instead of hanging it.

    with Browser() as browser:
        page = browser.new_page(1280, 900)
        page.navigate("file:///tmp/report.html")
        page.evaluate("document.title")
"""
import base64
import collections
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

DEFAULT_TIMEOUT = 30.0

ConsoleMessage = collections.namedtuple("ConsoleMessage", "level text origin")
FailedLoad = collections.namedtuple("FailedLoad", "url error blocked_reason")


class CDPError(Exception):
    """A command answered with a protocol error."""


class BrowserError(Exception):
    """Chromium exited, crashed, or did not answer in time."""


def find_chromium():
    """Chromium's path: $KVTRACE_CHROMIUM, else chromium, chromium-browser or google-chrome on
    PATH; None when there is none."""
    override = os.environ.get("KVTRACE_CHROMIUM")
    if override:
        return override if os.access(override, os.X_OK) else shutil.which(override)
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _high_fd(fd):
    """fd moved to a number >= 10, so that mapping the pipes onto 3 and 4 in the child cannot
    overwrite one with the other."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class Browser:
    """One headless Chromium with a fresh profile, driven over the debugging pipe; close() (or
    leaving the with block) kills it and removes the profile."""

    def __init__(self, executable=None, window_size=(1280, 900), timeout=DEFAULT_TIMEOUT,
                 extra_args=()):
        self.executable = executable or find_chromium()
        if not self.executable:
            raise BrowserError("Chromium not found (set KVTRACE_CHROMIUM or install the Debian "
                               "package chromium)")
        self.window_size = window_size
        self.timeout = timeout
        self.extra_args = list(extra_args)
        self._proc = None
        self._profile = None
        self._stderr = None
        self._to_child = None
        self._from_child = None
        self._reader = None
        self._cond = threading.Condition()
        self._next_id = 0
        self._replies = {}
        self._pages = {}  # sessionId -> Page
        self._eof = False
        self._unresponsive = False  # a browser command timed out: do not wait on it again

    # --- process ---------------------------------------------------------------------------

    def start(self):
        self._profile = tempfile.mkdtemp(prefix="kvtrace-chromium-")
        self._stderr = tempfile.TemporaryFile(prefix="kvtrace-chromium-", suffix=".err")
        to_child_r, self._to_child = map(_high_fd, os.pipe())
        self._from_child, from_child_w = map(_high_fd, os.pipe())
        width, height = self.window_size
        args = [self.executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-default-apps",
                "--mute-audio", "--hide-scrollbars", f"--user-data-dir={self._profile}",
                f"--window-size={width},{height}", "--remote-debugging-pipe",
                *self.extra_args, "about:blank"]
        # Popen keeps passed fds at their numbers; a Python trampoline moves them onto 3 and 4,
        # where Chromium expects them, and execs Chromium (same pid). A session of its own lets
        # close() kill Chromium's helper processes too.
        trampoline = ("import os, sys; os.dup2(%d, 3); os.dup2(%d, 4); os.close(%d); "
                      "os.close(%d); os.execv(sys.argv[1], sys.argv[1:])"
                      % (to_child_r, from_child_w, to_child_r, from_child_w))
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", trampoline, *args], stdin=subprocess.DEVNULL,
                stdout=self._stderr, stderr=self._stderr, pass_fds=(to_child_r, from_child_w),
                start_new_session=True)
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        os.set_blocking(self._to_child, False)
        self._reader = threading.Thread(target=self._read_loop, name="cdp-reader", daemon=True)
        self._reader.start()
        self.send("Browser.getVersion")
        return self

    def close(self):
        """Closes Chromium gracefully if it answers, then kills its process group and removes
        the profile. Safe after a failed start()."""
        if self._proc is not None:
            if not self._eof and not self._unresponsive:
                try:
                    self.send("Browser.close", timeout=5)
                except (BrowserError, CDPError):
                    pass
            # Wait for the exit without reaping it: while the leader is a zombie its group id
            # cannot be reused, so killing the group reaches only this Chromium's processes.
            deadline = time.monotonic() + (0 if self._unresponsive else 5)
            while time.monotonic() < deadline and os.waitid(
                    os.P_PID, self._proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
                time.sleep(0.05)
            try:
                os.killpg(self._proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._proc.wait(timeout=10)
            self._proc = None
        if self._reader is not None:
            self._reader.join(timeout=5)
            self._reader = None
        for fd in (self._to_child, self._from_child):
            if fd is not None:
                os.close(fd)
        self._to_child = self._from_child = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc):
        self.close()

    def stderr_tail(self, limit=1500):
        """The end of what Chromium printed, for error messages. Without its D-Bus complaints:
        with no system bus (containers, CI) it logs many, and they say nothing about pages."""
        self._stderr.seek(0)
        lines = self._stderr.read().decode(errors="replace").splitlines(keepends=True)
        return "".join(line for line in lines if ":ERROR:dbus/" not in line)[-limit:]

    # --- protocol --------------------------------------------------------------------------

    def _read_loop(self):
        buffer = b""
        try:
            while True:
                try:
                    chunk = os.read(self._from_child, 1 << 16)
                except OSError:
                    chunk = b""
                if not chunk:
                    break
                buffer += chunk
                *messages, buffer = buffer.split(b"\0")
                for raw in messages:
                    self._dispatch(json.loads(raw))
        finally:
            # Also after a message that does not parse: waiters fail now, not at their timeout.
            with self._cond:
                self._eof = True
                self._cond.notify_all()

    def _dispatch(self, message):
        with self._cond:
            if "id" in message:
                self._replies[message["id"]] = message
            else:
                page = self._pages.get(message.get("sessionId"))
                if page is not None:
                    page._events.append(message)
                    if message["method"] == "Inspector.targetCrashed":
                        page.gone = "the page crashed"
                elif message["method"] == "Target.detachedFromTarget":
                    page = self._pages.get(message["params"].get("sessionId"))
                    if page is not None and page.gone is None:
                        page.gone = "the page was detached (closed or crashed)"
            self._cond.notify_all()

    def _write(self, data, deadline):
        view = memoryview(data)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([], [self._to_child], [], remaining)[1]:
                raise BrowserError("Chromium does not read its command pipe\n"
                                   + self.stderr_tail())
            try:
                view = view[os.write(self._to_child, view):]
            except BrokenPipeError:
                raise BrowserError("Chromium closed its command pipe\n"
                                   + self.stderr_tail()) from None

    def send(self, method, session_id=None, timeout=None, **params):
        """Sends one command and returns its result; raises CDPError on a protocol error."""
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._cond:
            self._next_id += 1
            message_id = self._next_id
        message = {"id": message_id, "method": method, "params": params}
        if session_id:
            message["sessionId"] = session_id
        self._write(json.dumps(message).encode() + b"\0", deadline)
        page = self._pages.get(session_id)
        try:
            reply = self._wait(lambda: self._replies.pop(message_id, None), deadline,
                               f"the reply to {method}", page)
        except BrowserError:
            if page is None:
                self._unresponsive = True
            raise
        if "error" in reply:
            error = reply["error"]
            raise CDPError(f"{method}: {error.get('message')} ({error.get('code')})"
                           + (f": {error['data']}" if "data" in error else ""))
        return reply.get("result", {})

    def _wait(self, probe, deadline, what, page=None):
        """probe()'s first truthy value, probed under the lock on every message; fails when
        Chromium exits, page crashes or the deadline passes."""
        with self._cond:
            while True:
                value = probe()
                if value:
                    return value
                if self._eof:
                    raise BrowserError(f"Chromium exited while waiting for {what}\n"
                                       + self.stderr_tail())
                if page is not None and page.gone:
                    raise BrowserError(f"{page.gone} while waiting for {what}")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BrowserError(f"timed out waiting for {what}; Chromium's stderr:\n"
                                       + self.stderr_tail())
                self._cond.wait(remaining)

    def new_page(self, width=1280, height=900):
        """A new tab of width x height CSS pixels (device scale 1), attached in flat mode, with
        the Page, Runtime, Log and Network domains enabled so its events are collected."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        page = Page(self, target, session)
        with self._cond:
            self._pages[session] = page
        for domain in ("Page", "Runtime", "Log", "Network"):
            page.send(f"{domain}.enable")
        page.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)
        return page


def _remote_object_text(obj):
    """A console argument as text: its value when it has one, else its description."""
    if "value" in obj:
        value = obj["value"]
        return value if isinstance(value, str) else json.dumps(value)
    return obj.get("description") or obj.get("unserializableValue") or obj.get("type", "")


class Page:
    """One attached tab: commands, collected events, navigation, evaluation, screenshots."""

    def __init__(self, browser, target_id, session_id):
        self.browser = browser
        self.target_id = target_id
        self.session_id = session_id
        self._events = []  # appended by the reader thread under browser._cond
        self.gone = None  # why the page is no more, once it crashed or was detached

    def send(self, method, timeout=None, **params):
        return self.browser.send(method, session_id=self.session_id, timeout=timeout, **params)

    # --- events ----------------------------------------------------------------------------

    def events(self, method=None):
        """Every event of this page so far (of one method when given), oldest first."""
        with self.browser._cond:
            events = list(self._events)
        return [e for e in events if method is None or e["method"] == method]

    def wait_event(self, method, since=0, timeout=None):
        """The first event of method at or after index since in the event list."""
        deadline = time.monotonic() + (timeout or self.browser.timeout)

        def probe():
            return next((e for e in self._events[since:] if e["method"] == method), None)
        return self.browser._wait(probe, deadline, method, self)

    @property
    def console(self):
        """Console messages: the page's console API calls and the browser's log entries (CSP
        violations, failed loads, interventions), as (level, text, origin)."""
        messages = []
        for event in self.events():
            params = event["params"]
            if event["method"] == "Runtime.consoleAPICalled":
                level = "error" if params["type"] == "assert" else params["type"]
                text = " ".join(_remote_object_text(a) for a in params.get("args", []))
                messages.append(ConsoleMessage(level, text, "console." + params["type"]))
            elif event["method"] == "Log.entryAdded":
                entry = params["entry"]
                origin = f"log:{entry.get('source')}" + (f" {entry['url']}" if entry.get("url")
                                                         else "")
                messages.append(ConsoleMessage(entry["level"], entry["text"], origin))
        return messages

    @property
    def exceptions(self):
        """Uncaught exceptions and unhandled rejections, as text."""
        texts = []
        for event in self.events("Runtime.exceptionThrown"):
            details = event["params"]["exceptionDetails"]
            exception = details.get("exception", {})
            where = (f" ({details['url']}:{details.get('lineNumber', 0) + 1})"
                     if details.get("url") else "")
            texts.append((exception.get("description") or details.get("text", "")) + where)
        return texts

    @property
    def requests(self):
        """The URL of every request the page started."""
        return [e["params"]["request"]["url"] for e in self.events("Network.requestWillBeSent")]

    @property
    def failed_loads(self):
        """Requests that failed, as (url, error, blocked_reason)."""
        urls = {e["params"]["requestId"]: e["params"]["request"]["url"]
                for e in self.events("Network.requestWillBeSent")}
        return [FailedLoad(urls.get(p["requestId"], "?"), p.get("errorText", ""),
                           p.get("blockedReason"))
                for p in (e["params"] for e in self.events("Network.loadingFailed"))]

    # --- navigation and evaluation ---------------------------------------------------------

    def navigate(self, url, timeout=None):
        """Loads url and waits for its load event."""
        since = len(self.events())
        result = self.send("Page.navigate", url=url, timeout=timeout)
        if result.get("errorText"):
            raise BrowserError(f"navigating to {url}: {result['errorText']}")
        self.wait_event("Page.loadEventFired", since=since, timeout=timeout)

    def evaluate(self, expression, await_promise=False, timeout=None):
        """The value of a JavaScript expression (JSON-serializable; None for undefined); a
        thrown exception raises CDPError with its description."""
        result = self.send("Runtime.evaluate", timeout=timeout, expression=expression,
                           returnByValue=True, awaitPromise=await_promise)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            description = details.get("exception", {}).get("description") or details.get("text")
            raise CDPError(f"evaluating {expression[:200]!r}: {description}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=10.0, interval=0.1):
        """Polls expression until its value is truthy and returns that value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() >= deadline:
                raise BrowserError(f"timed out after {timeout} s waiting for {expression!r} "
                                   f"(last value {value!r})")
            time.sleep(interval)

    def mouse_move(self, x, y):
        """A real mouse move to viewport point (x, y), as a user's pointer would send it."""
        self.send("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)

    def close(self):
        """Closes the tab (unless it is already gone)."""
        if self.gone is None:
            self.browser.send("Target.closeTarget", targetId=self.target_id)
        with self.browser._cond:
            self.browser._pages.pop(self.session_id, None)

    # --- screenshots -----------------------------------------------------------------------

    def screenshot(self, path, clip=None, full_page=True, optimize_for_speed=False, jpeg_quality=None):
        """Writes a PNG of clip ({x, y, width, height} in CSS pixels of the document), else of
        the whole page (full_page) or of the viewport. Returns path.

        optimize_for_speed asks Chromium for a quickly encoded, larger file; jpeg_quality
        (0-100) for a JPEG instead of a PNG (smaller, for the docs)."""
        params = {"format": "png", "optimizeForSpeed": optimize_for_speed}
        if jpeg_quality is not None:
            params = {"format": "jpeg", "quality": jpeg_quality}
        if clip is None and full_page:
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"]}
        if clip is not None:
            params["clip"] = {**clip, "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", **params)["data"]
        with open(path, "wb") as file:
            file.write(base64.b64decode(data))
        return path

    def element_screenshot(self, css_selector, path, optimize_for_speed=False, jpeg_quality=None):
        """Writes a PNG of the first element matching css_selector, scrolled into view first
        (so content drawn on scroll is there). Returns path."""
        rect = self.evaluate(f"""(() => {{
            const el = document.querySelector({json.dumps(css_selector)});
            if (!el) return null;
            el.scrollIntoView({{block: "start"}});
            const r = el.getBoundingClientRect();
            return {{x: r.left + window.scrollX, y: r.top + window.scrollY,
                     width: r.width, height: r.height}};
        }})()""")
        if rect is None:
            raise BrowserError(f"no element matches {css_selector!r}")
        if rect["width"] <= 0 or rect["height"] <= 0:
            raise BrowserError(f"{css_selector!r} has an empty box: {rect}")
        return self.screenshot(path, clip=rect, optimize_for_speed=optimize_for_speed,
                               jpeg_quality=jpeg_quality)
