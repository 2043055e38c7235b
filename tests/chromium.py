"""Open a page in headless Chromium over the DevTools protocol; collect what a user would see.

Test support only. Chromium listens on a loopback port it picks itself (written to
``DevToolsActivePort`` in its profile folder); a small websocket client (tornado, which
dask.distributed brings) enables the Runtime, Log, Network and Page domains, loads the page,
and records console errors, uncaught exceptions and every URL the page asked for.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0")
START_TIMEOUT = 30.0
LOAD_TIMEOUT = 30.0
SETTLE_SECONDS = 0.5  # errors from timers or late scripts arrive just after the load event


def chromium_path() -> str | None:
    """The Chromium binary, if installed."""
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


def require_chromium() -> None:
    """Skip the test when Chromium is missing, except under ``CI=true`` (CI installs it)."""
    import pytest

    if chromium_path() is None:
        reason = "chromium is not installed (Debian package `chromium`)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}, but CI=true requires it")
        pytest.skip(reason)


@dataclass
class PageVisit:
    """What happened while a page loaded: errors, requested URLs, evaluated values."""

    console_errors: list[str] = field(default_factory=list)
    requested_urls: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    screenshot: bytes = b""


class _DevTools:
    """A minimal DevTools protocol client: send commands, collect events."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self.ids)
        await self.connection.write_message(json.dumps({"id": call_id, "method": method,
                                                        "params": params}))
        while True:
            message = await self._read(LOAD_TIMEOUT)
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    async def wait_for(self, method: str, timeout: float) -> None:
        if any(event.get("method") == method for event in self.events):
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = await self._read(deadline - time.monotonic())
            if message.get("method") == method:
                return
        raise TimeoutError(f"no {method} within {timeout} s")

    async def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                await self._read(left)
            except TimeoutError:
                return

    async def _read(self, timeout: float) -> dict[str, Any]:
        raw = await asyncio.wait_for(self.connection.read_message(), timeout=max(timeout, 0.01))
        if raw is None:
            raise RuntimeError("Chromium closed the DevTools connection")
        message = json.loads(raw)
        if "method" in message:
            self.events.append(message)
        return message


def _errors(events: list[dict[str, Any]]) -> list[str]:
    errors = []
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text", "")
            errors.append(f"uncaught: {text}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            errors.append("console: " + " ".join(str(arg.get("value", arg.get("description", "")))
                                                 for arg in params.get("args", [])))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            errors.append(f"log ({entry.get('source')}): {entry.get('text')}")
    return errors


def _page_socket(profile: Path, process: subprocess.Popen[bytes]) -> str:
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + START_TIMEOUT
    while not port_file.exists() or not port_file.read_text().strip():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("Chromium did not start its DevTools server")
        time.sleep(0.1)
    port = int(port_file.read_text().split()[0])
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
        targets = json.load(response)
    return next(t["webSocketDebuggerUrl"] for t in targets if t.get("type") == "page")


class Browser:
    """Headless Chromium with one page, driven step by step over the DevTools protocol.

    ``with Browser() as browser:`` then :meth:`open`, :meth:`press`, :meth:`evaluate`,
    :meth:`wait_until`, :meth:`screenshot`; :meth:`errors` and :meth:`requested_urls` report
    everything seen since the page was opened.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.tools: _DevTools | None = None

    def __enter__(self) -> Browser:
        binary = chromium_path()
        if binary is None:
            raise FileNotFoundError("chromium is not installed")
        # Chromium helpers may still write the profile for a moment after the main one exits.
        self.profile = tempfile.TemporaryDirectory(prefix="aligner-chromium-",
                                                   ignore_cleanup_errors=True)
        self.process = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={self.profile.name}",
                                         "about:blank"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            ws_url = _page_socket(Path(self.profile.name), self.process)
            self.tools = self._run(self._connect(ws_url))
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.tools is not None:
            self.tools.connection.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.loop.close()
        self.profile.cleanup()

    def _run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    async def _connect(self, ws_url: str) -> _DevTools:
        from tornado.websocket import websocket_connect

        connection = await websocket_connect(ws_url, max_message_size=256 * 1024 * 1024)
        tools = _DevTools(connection)
        for domain in ("Runtime", "Log", "Network", "Page"):
            await tools.call(f"{domain}.enable")
        await tools.call("Emulation.setDeviceMetricsOverride", width=1280, height=900,
                         deviceScaleFactor=1, mobile=False)
        return tools

    def open(self, url: str) -> None:
        """Load ``url`` and wait for its load event (and late errors)."""
        assert self.tools is not None
        self.tools.events.clear()
        self._run(self.tools.call("Page.navigate", url=url))
        self._run(self.tools.wait_for("Page.loadEventFired", LOAD_TIMEOUT))
        self._run(self.tools.drain(SETTLE_SECONDS))

    def evaluate(self, expression: str) -> Any:
        assert self.tools is not None
        result = self._run(self.tools.call("Runtime.evaluate", expression=expression,
                                           returnByValue=True, awaitPromise=True))
        return result.get("result", {}).get("value")

    def wait_until(self, expression: str, timeout: float = LOAD_TIMEOUT) -> Any:
        """Poll ``expression`` until it is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"not true within {timeout} s: {expression}")
            self._run(self.tools.drain(0.05))  # type: ignore[union-attr]

    def press(self, key: str, shift: bool = False, ctrl: bool = False) -> None:
        """A key press as a user makes it (keyDown with its text, then keyUp)."""
        assert self.tools is not None
        modifiers = (8 if shift else 0) | (2 if ctrl else 0)
        text = key if len(key) == 1 and not ctrl else ""
        for kind in ("keyDown", "keyUp"):
            self._run(self.tools.call("Input.dispatchKeyEvent", type=kind, key=key, text=text,
                                      modifiers=modifiers))

    def insert_text(self, text: str) -> None:
        assert self.tools is not None
        self._run(self.tools.call("Input.insertText", text=text))

    def screenshot(self) -> bytes:
        assert self.tools is not None
        shot = self._run(self.tools.call("Page.captureScreenshot", format="png",
                                         captureBeyondViewport=True))
        return base64.b64decode(shot["data"])

    def settle(self) -> None:
        self._run(self.tools.drain(SETTLE_SECONDS))  # type: ignore[union-attr]

    def errors(self) -> list[str]:
        return _errors(self.tools.events) if self.tools else []

    def requested_urls(self) -> list[str]:
        events = self.tools.events if self.tools else []
        return [event["params"]["request"]["url"] for event in events
                if event["method"] == "Network.requestWillBeSent"]


def visit_page(page: Path, expressions: dict[str, str] | None = None,
               screenshot: bool = False) -> PageVisit:
    """Load ``page`` in headless Chromium; return errors, URLs, values of ``expressions``."""
    with Browser() as browser:
        browser.open(page.resolve().as_uri())
        visit = PageVisit()
        if screenshot:  # before the expressions, which may change the page
            visit.screenshot = browser.screenshot()
        for name, expression in (expressions or {}).items():
            visit.values[name] = browser.evaluate(expression)
        browser.settle()
        visit.console_errors = browser.errors()
        visit.requested_urls = browser.requested_urls()
        return visit
