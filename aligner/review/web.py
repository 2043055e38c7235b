"""The review app over HTTP: a thin Starlette layer on :class:`~aligner.review.workspace.Workspace`.

Safety, because the app can write into the user's folders:

- it listens on 127.0.0.1 only;
- every request must carry the ``Host`` it was given (``127.0.0.1:PORT`` or
  ``localhost:PORT``), so a rebound DNS name cannot reach it;
- every API request needs the random token of the printed address (header
  ``X-Review-Token``); cross-site pages cannot set that header, so they can neither read nor
  change anything;
- requests name pairs by key and beads by index: no path ever comes from the browser;
- the page, its script and its style are served by the app (a Content-Security-Policy of
  ``'self'`` keeps the browser from fetching anything else).
"""

from __future__ import annotations

import hmac
import json
import secrets
import socket
import threading
import webbrowser
from collections.abc import Awaitable, Callable
from importlib.resources import files
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aligner.errors import AlignerError, EditError, StaleEditError, UnknownPairError
from aligner.review.workspace import Workspace

TOKEN_HEADER = "X-Review-Token"
MAX_BODY = 1024 * 1024
ASSETS = {"review.js": "text/javascript", "review.css": "text/css"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "connect-src 'self'; img-src 'self' data:; base-uri 'none'; "
                               "form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store", "X-Frame-Options": "DENY"}


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


class Guard(BaseHTTPMiddleware):
    """Host check on every request, token check on every API request."""

    def __init__(self, app: Any, hosts: frozenset[str], token: str) -> None:
        super().__init__(app)
        self.hosts, self.token = hosts, token

    async def dispatch(self, request: Request,
                       call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        host = request.headers.get("host", "")
        if host not in self.hosts:
            return _error(400, f"unexpected Host header {host!r}: open the address "
                               "aligner review printed")
        if request.url.path.startswith("/api/"):
            given = request.headers.get(TOKEN_HEADER, "")
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                return _error(403, "missing or wrong review token: open the address "
                                   "aligner review printed")
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response


def _asset(name: str) -> str:
    return files("aligner.review").joinpath("static", name).read_text(encoding="utf-8")


def _int(request: Request, name: str, default: int) -> int:
    value = request.query_params.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise EditError(f"query parameter {name} must be a whole number, not {value!r}") \
            from None


async def _json_body(request: Request) -> dict[str, Any]:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise EditError(f"request body larger than {MAX_BODY} bytes")
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise EditError("the request body is not JSON") from None
    if not isinstance(data, dict):
        raise EditError("the request body must be a JSON object")
    return data


def create_app(workspace: Workspace, token: str, port: int) -> Starlette:
    """The app for ``workspace``, answering only at ``127.0.0.1:PORT``/``localhost:PORT``."""

    def handled(handler: Callable[[Request], Awaitable[Any]]
                ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                return JSONResponse(await handler(request))
            except UnknownPairError as error:
                return _error(404, str(error))
            except StaleEditError as error:
                return _error(409, str(error))
            except EditError as error:
                return _error(400, str(error))
            except AlignerError as error:  # a save the folder refused (a run is writing it)
                return _error(409, str(error))
        return endpoint

    async def page(request: Request) -> Response:
        return Response(_asset("index.html"), media_type="text/html; charset=utf-8")

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            return _error(404, f"no asset {name!r}")
        return Response(_asset(name), media_type=f"{ASSETS[name]}; charset=utf-8")

    async def summary(request: Request) -> Any:
        return await run_in_threadpool(workspace.summary)

    async def pairs(request: Request) -> Any:
        return await run_in_threadpool(workspace.pairs_page, _int(request, "offset", 0),
                                       _int(request, "limit", 50))

    async def pair(request: Request) -> Any:
        return await run_in_threadpool(workspace.pair_page, request.path_params["key"],
                                       _int(request, "offset", 0), _int(request, "limit", 200))

    async def queue(request: Request) -> Any:
        return await run_in_threadpool(workspace.queue, _int(request, "offset", 0),
                                       _int(request, "limit", 10), _int(request, "next", 20))

    async def edit(request: Request) -> Any:
        body = await _json_body(request)
        return await run_in_threadpool(workspace.edit, request.path_params["key"], body,
                                       _int(request, "offset", 0), _int(request, "limit", 200))

    async def save(request: Request) -> Any:
        await _json_body(request)
        return await run_in_threadpool(workspace.save)

    routes = [Route("/", page), Route("/static/{name}", asset),
              Route("/api/summary", handled(summary)), Route("/api/pairs", handled(pairs)),
              Route("/api/pairs/{key}", handled(pair)),
              Route("/api/pairs/{key}/edit", handled(edit), methods=["POST"]),
              Route("/api/queue", handled(queue)),
              Route("/api/save", handled(save), methods=["POST"])]
    hosts = frozenset({f"127.0.0.1:{port}", f"localhost:{port}"})
    return Starlette(routes=routes, middleware=[Middleware(Guard, hosts=hosts, token=token)])


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (port 0: a free one the system picks)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(64)
    sock.setblocking(False)
    return sock


def serve(workspace: Workspace, sock: socket.socket, token: str, open_browser: bool,
          announce: Callable[[str], None]) -> None:
    """Serve until interrupted (Ctrl+C); ``announce`` gets the address with its token."""
    import uvicorn  # the server itself: loaded only when one is started

    port = sock.getsockname()[1]
    address = f"http://127.0.0.1:{port}/?token={token}"
    app = create_app(workspace, token, port)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           lifespan="off"))
    announce(address)
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(address,)).start()
    server.run(sockets=[sock])
