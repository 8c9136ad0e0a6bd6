"""shop-api: the Northwind Outfitters storefront API. Standard library only.

    python3 app/server.py [--config config/service.ini] [--root .] [--heap run/heap.json] [--traffic N]

The service manager (bin/service) runs it from the copy of app/ and config/ it loaded at start-up
(run/loaded/), so an edit takes effect at the next restart, as with any running process.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import applog
from cache import OutOfMemory, ResponseCache
from routes import App
from settings import ConfigError, load
from storage import Database

HERE = os.path.dirname(os.path.abspath(__file__))


def read_version() -> str:
    try:
        with open(os.path.join(HERE, "VERSION"), encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError:
        return "unknown"


class Service:
    def __init__(self, root: str, app: App, log: applog.Log, heap: str) -> None:
        self.root, self.app, self.log, self.heap = root, app, log, heap
        self.started = time.time()
        self.requests = 0

    def run_file(self, name: str) -> str:
        return os.path.join(self.root, "run", name)

    def write_status(self) -> None:
        status = {"pid": os.getpid(), "started": self.started, "requests": self.requests,
                  "memory_mb": round(self.app.cache.memory_mb, 1), "limit_mb": self.app.cache.limit_mb,
                  "version": self.app.version}
        with open(self.run_file("status.json"), "w", encoding="utf-8") as handle:
            json.dump(status, handle)

    def stop(self, *_: object) -> None:
        """SIGTERM: remember what the process holds (it is the same process at the next look) and exit."""
        if self.heap:
            self.app.cache.save(self.heap)
        self.write_status()
        os._exit(0)

    def out_of_memory(self) -> None:
        cache = self.app.cache
        self.log.kernel(f"Out of memory: Killed process {os.getpid()} (python3) "
                        f"total-vm:{int(cache.memory_mb * 1400)}kB, anon-rss:{int(cache.memory_mb * 1024)}kB, "
                        "file-rss:0kB, shmem-rss:0kB")
        self.log.kernel(f"Memory cgroup out of memory: Killed process {os.getpid()} (python3) "
                        f"limit {int(cache.limit_mb)}M")
        with open(self.run_file("service.state"), "w", encoding="utf-8") as handle:
            handle.write("failed oom-kill\n")
        for name in ("heap.json", "ready"):
            if os.path.exists(self.run_file(name)):
                os.remove(self.run_file(name))
        os._exit(137)


def make_handler(service: Service) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "shop-api"
        sys_version = ""

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(min(length, 1_000_000)) if length > 0 else b""
            service.requests += 1
            try:
                status, payload, extra = service.app.handle(self.command, self.path, self.headers, body,
                                                            self.client_address[0])
            except OutOfMemory:
                service.out_of_memory()
                return
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for key, value in extra.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)
            service.log.access(self.client_address[0], self.requestline, status, len(payload),
                               self.headers.get("User-Agent", "-"))
            service.write_status()

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            pass  # the access log is written by _serve

    return Handler


def simulate_traffic(app: App, requests: int) -> None:
    """Customers kept browsing while nobody was looking: product pages with their session in the URL."""
    prefix = app.settings.route_prefix
    for n in range(requests):
        key = f"{prefix}/products/{n % 8 + 1}?session={os.urandom(6).hex()}"
        if app.cache.get(key) is None:
            app.cache.put(key, b"")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="shop-api")
    parser.add_argument("--config", default="config/service.ini")
    parser.add_argument("--root", default=".")
    parser.add_argument("--heap", default="")
    parser.add_argument("--traffic", type=int, default=0)
    args = parser.parse_args(argv)
    root = os.path.abspath(args.root)
    config_path = args.config if os.path.isabs(args.config) else os.path.join(root, args.config)
    try:
        settings = load(config_path)
    except ConfigError as exc:
        applog.Log(root).error(f"cannot start: {exc}")
        print(f"shop-api: cannot start: {exc}", file=sys.stderr)
        return 1
    log = applog.Log(root, settings.log_level)
    if not settings.found:
        log.warning(f"{args.config} not found; running on built-in defaults")
    limit = float(os.environ.get("WR_MEMORY_MAX_MB", "512"))
    cache = ResponseCache(settings.cache_enabled, settings.cache_max_entries, limit)
    app = App(settings, Database(settings.database_url, root, settings.database_timeout), cache, log, read_version())
    heap = os.path.join(root, args.heap) if args.heap else ""
    service = Service(root, app, log, heap)
    os.makedirs(os.path.join(root, "run"), exist_ok=True)
    try:
        if heap:
            cache.load(heap)
        simulate_traffic(app, args.traffic)
    except OutOfMemory:
        service.out_of_memory()
    try:
        server = HTTPServer((settings.host, settings.port), make_handler(service))
    except OSError as exc:
        log.error(f"cannot listen on {settings.host}:{settings.port}: {exc}")
        return 1
    signal.signal(signal.SIGTERM, service.stop)
    log.info(f"shop-api {app.version} listening on {settings.host}:{settings.port}; public routes under "
             f"'{settings.route_prefix}'; database {settings.database_url}")
    service.write_status()
    with open(service.run_file("ready"), "w", encoding="utf-8") as handle:
        handle.write(str(os.getpid()))
    server.serve_forever(poll_interval=0.05)
    return 0


if __name__ == "__main__":
    sys.exit(main())
