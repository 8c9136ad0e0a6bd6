"""What the HTTP benchmarks share: servers in processes of their own, a per-request recorder inside them, and a
light client that walks LTI redirects and auto-posting forms the way a browser does.

- ``run_gunicorn(load, port, threads)`` — serve the WSGI app ``load()`` builds (in the worker, after the fork)
  with gunicorn's ``gthread`` worker, production's server kind; one worker, so a figure is one process's.
- ``RequestRecorder(app, folder)`` — WSGI middleware that writes one JSON line per request to
  ``folder/requests-<pid>.jsonl``: the phase the client named (``X-Bench-Phase``), the path, the status, the
  server's wall and CPU time from the call until the response body is closed (a streamed reply included),
  and the SQL statements and commits it made (SQLAlchemy engine events, counted per thread).
- ``tree_cpu_seconds(pid)`` — CPU time of a process and its descendants (a gunicorn master and its worker).
- ``Browser`` — keep-alive ``http.client`` connections per host and a cookie jar per host; ``navigate``
  follows 30x redirects and submits auto-posting forms (``data-autosubmit``: the dev LMS's login and launch
  forms) until a page that is neither. Lighter than requests, so the client process is not what limits a run.
"""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import socket
import statistics
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

WsgiApp = Callable[..., Any]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# --- inside the server process -------------------------------------------------------------------------------

_counting = threading.local()


def install_sql_counters() -> None:
    """Count SQL statements and commits per thread (the recorder resets them for each request)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "before_cursor_execute")
    def _statement(*_args: Any) -> None:
        counts = getattr(_counting, "counts", None)
        if counts is not None:
            counts["sql"] += 1

    @event.listens_for(Engine, "commit")
    def _commit(*_args: Any) -> None:
        counts = getattr(_counting, "counts", None)
        if counts is not None:
            counts["commits"] += 1


class RequestRecorder:
    def __init__(self, app: WsgiApp, folder: Path) -> None:
        self.app = app
        self.folder = folder
        self._lock = threading.Lock()
        self._file: Any = None

    def _write(self, record: dict[str, Any]) -> None:
        with self._lock:
            if self._file is None:  # opened in the worker, after gunicorn forked it
                self._file = (self.folder / f"requests-{os.getpid()}.jsonl").open("a", buffering=1)
            self._file.write(json.dumps(record) + "\n")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started, cpu = time.perf_counter(), time.thread_time()
        counts = _counting.counts = {"sql": 0, "commits": 0}
        status: list[str] = []

        def recording_start_response(code: str, headers: Any, *rest: Any) -> Any:
            status.append(code)
            return start_response(code, headers, *rest)

        def done() -> None:
            _counting.counts = None
            self._write({
                "phase": environ.get("HTTP_X_BENCH_PHASE", ""),
                "method": environ.get("REQUEST_METHOD", ""),
                "path": environ.get("PATH_INFO", ""),
                "status": int(status[0].split()[0]) if status else 0,
                "wall_ms": (time.perf_counter() - started) * 1000,
                "cpu_ms": (time.thread_time() - cpu) * 1000,
                "sql": counts["sql"],
                "commits": counts["commits"],
            })

        try:
            body = self.app(environ, recording_start_response)
        except BaseException:
            done()
            raise
        return _ClosingBody(body, done)


class _ClosingBody:
    """The app's response body, with ``done`` called once it is closed (after the last chunk was sent)."""

    def __init__(self, body: Iterable[bytes], done: Callable[[], None]) -> None:
        self._body, self._done = body, done

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._done()


def read_records(folder: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted(folder.glob("requests-*.jsonl")):
        out += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return out


def run_gunicorn(load: Callable[[], WsgiApp], port: int, threads: int, workers: int = 1) -> None:
    """Serve ``load()`` on 127.0.0.1:``port`` until terminated (gunicorn gthread, as in production)."""
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {"bind": f"127.0.0.1:{port}", "workers": workers, "threads": threads,
                               "worker_class": "gthread", "timeout": 600, "keepalive": 30, "backlog": 2048,
                               "loglevel": "warning"}.items():
                self.cfg.set(key, value)

        def load(self) -> WsgiApp:
            return load()

    _Server().run()


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and every descendant still running (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def wait_for_http(url: str, timeout: float = 60) -> None:
    parts = urlsplit(url)
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
            conn.request("GET", parts.path or "/")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


# --- the client ---------------------------------------------------------------------------------------------

_FORM = re.compile(r"<form\b[^>]*\baction=\"([^\"]*)\"[^>]*\bdata-autosubmit", re.IGNORECASE)
_INPUT = re.compile(r"<input\b[^>]*\bname=\"([^\"]+)\"[^>]*\bvalue=\"([^\"]*)\"", re.IGNORECASE)


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes, url: str) -> None:
        self.status, self.headers, self.body, self.url = status, headers, body, url

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Browser:
    """One simulated browser. ``forget_cookies()`` between launches makes each launch a browser's first."""

    def __init__(self, headers: dict[str, str] | None = None) -> None:
        self.headers = dict(headers or {})
        self._connections: dict[str, http.client.HTTPConnection] = {}
        self.cookies: dict[str, dict[str, str]] = {}

    def forget_cookies(self) -> None:
        self.cookies = {}

    def close(self) -> None:
        for conn in self._connections.values():
            conn.close()
        self._connections = {}

    def request(self, method: str, url: str, *, form: dict[str, str] | None = None, json_body: Any = None,
                headers: dict[str, str] | None = None) -> Response:
        parts = urlsplit(url)
        host = parts.netloc
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        sent = {**self.headers, **(headers or {})}
        body: bytes | None = None
        if form is not None:
            body, sent["Content-Type"] = urlencode(form).encode(), "application/x-www-form-urlencoded"
        elif json_body is not None:
            body, sent["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        jar = self.cookies.setdefault(host, {})
        if jar:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        for retry in (False, True):
            conn = self._connections.get(host)
            if conn is None:
                conn = self._connections[host] = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
            try:
                conn.request(method, path, body=body, headers=sent)
                raw = conn.getresponse()
                data = raw.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()  # a keep-alive connection the server closed meanwhile: once more on a new one
                self._connections.pop(host, None)
                if retry:
                    raise
        for cookie in raw.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0].strip('"')
            if "max-age=0" in cookie.lower() or "expires=thu, 01 jan 1970" in cookie.lower():
                jar.pop(name.strip(), None)
            else:
                jar[name.strip()] = value
        return Response(raw.status, raw.headers, data, url)

    def navigate(self, url: str, method: str = "GET", form: dict[str, str] | None = None,
                 max_steps: int = 12) -> Response:
        """Follow redirects and auto-posting forms from ``url`` to the page a user would see."""
        for _ in range(max_steps):
            response = self.request(method, url, form=form)
            if response.status in (301, 302, 303, 307):
                url, method, form = urljoin(url, response.headers["Location"]), "GET", None
                continue
            page = response.text if response.status == 200 else ""
            found = _FORM.search(page)
            if not found:
                return response
            url, method = urljoin(url, html.unescape(found.group(1))), "POST"
            form = {html.unescape(k): html.unescape(v) for k, v in _INPUT.findall(page)}
        raise RuntimeError(f"more than {max_steps} steps from {url}")
