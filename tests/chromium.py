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


async def _visit(ws_url: str, page: Path, expressions: dict[str, str],
                 screenshot: bool) -> PageVisit:
    from tornado.websocket import websocket_connect

    connection = await websocket_connect(ws_url, max_message_size=256 * 1024 * 1024)
    tools = _DevTools(connection)
    try:
        for domain in ("Runtime", "Log", "Network", "Page"):
            await tools.call(f"{domain}.enable")
        await tools.call("Emulation.setDeviceMetricsOverride", width=1280, height=900,
                         deviceScaleFactor=1, mobile=False)
        await tools.call("Page.navigate", url=page.resolve().as_uri())
        await tools.wait_for("Page.loadEventFired", LOAD_TIMEOUT)
        await tools.drain(SETTLE_SECONDS)
        visit = PageVisit()
        if screenshot:  # before the expressions, which may change the page
            shot = await tools.call("Page.captureScreenshot", format="png",
                                    captureBeyondViewport=True)
            visit.screenshot = base64.b64decode(shot["data"])
        for name, expression in expressions.items():
            result = await tools.call("Runtime.evaluate", expression=expression,
                                      returnByValue=True)
            visit.values[name] = result.get("result", {}).get("value")
        await tools.drain(SETTLE_SECONDS)
        visit.console_errors = _errors(tools.events)
        visit.requested_urls = [event["params"]["request"]["url"] for event in tools.events
                                if event["method"] == "Network.requestWillBeSent"]
        return visit
    finally:
        connection.close()


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


def visit_page(page: Path, expressions: dict[str, str] | None = None,
               screenshot: bool = False) -> PageVisit:
    """Load ``page`` in headless Chromium; return errors, URLs, values of ``expressions``."""
    binary = chromium_path()
    if binary is None:
        raise FileNotFoundError("chromium is not installed")
    # Chromium helper processes may still write the profile for a moment after the main one exits.
    with tempfile.TemporaryDirectory(prefix="aligner-chromium-",
                                     ignore_cleanup_errors=True) as profile:
        process = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={profile}",
                                    "about:blank"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            ws_url = _page_socket(Path(profile), process)
            return asyncio.run(_visit(ws_url, page, expressions or {}, screenshot))
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
