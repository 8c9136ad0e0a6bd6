"""What every incident's check shares. Runs inside the sandbox (shipped read-only in /code beside the
incident's check.py); never imported by the grader.

stdin: one JSON header line {"nonce", "truth"} and then the workspace archive (tar.gz). Everything is read
before any of the workspace's code runs. The check makes itself non-dumpable (the service it starts is the
student's code, running as the same uid: it must not reach this process's memory or file descriptors),
unpacks the workspace into /tmp/ws, starts the service from the workspace's files the way the service
manager does, probes it over HTTP like customers and the admin would, stops everything and writes one
record "<nonce> <json>" on its stdout, which the service never holds.

Two starts: "running" is the service as it runs now (the code and config it loaded at its last start, and
the memory it holds), "restart" is a fresh start from the files on disk (the fix survives a restart).
"""

import configparser
import contextlib
import ctypes
import http.client
import io
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tarfile
import time

WS = "/tmp/ws"
CODE = os.path.dirname(os.path.abspath(__file__))
PORT = 8080
PREFIX = "/api/v1"
PR_SET_DUMPABLE = 4
START_SECONDS = 4.0
MEMORY_MAX_MB = "512"


def _non_dumpable():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE) failed")


def _unpack(archive):
    os.makedirs(WS, 0o755, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        for member in tar:
            parts = member.name.split("/")
            if member.name.startswith("/") or any(p in ("", ".", "..") for p in parts):
                raise ValueError(f"unsafe name in the workspace: {member.name!r}")
            path = os.path.join(WS, member.name)
            if member.isdir():
                os.makedirs(path, 0o755, exist_ok=True)
            elif member.isreg():
                os.makedirs(os.path.dirname(path), 0o755, exist_ok=True)
                with open(path, "wb") as handle:
                    handle.write(tar.extractfile(member).read())
                os.chmod(path, (member.mode & 0o777) | 0o600)
            elif member.issym():
                target = os.path.normpath(os.path.join(os.path.dirname(path), member.linkname))
                if target == WS or target.startswith(WS + "/"):
                    os.makedirs(os.path.dirname(path), 0o755, exist_ok=True)
                    os.symlink(member.linkname, path)


def read(path):
    try:
        with open(os.path.join(WS, path), encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def config(path):
    """The INI file at ``path`` in the workspace as {section: {key: value}}, or None if missing/unreadable."""
    text = read(path)
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return {}
    return {name: dict(parser[name]) for name in parser.sections()}


def setting(cfg, section, key, default=""):
    return ((cfg or {}).get(section) or {}).get(key, default).strip()


def truthy(value):
    return value.strip().lower() in ("1", "yes", "true", "on")


def expected_data():
    """Products and orders as the seed made them (the check's own copy of db/), in the API's shapes."""
    db = sqlite3.connect(":memory:")
    for name in ("schema.sql", "seed.sql"):
        with open(os.path.join(CODE, name), encoding="utf-8") as handle:
            db.executescript(handle.read())
    rows = db.execute("SELECT id, sku, name, price_cents, stock FROM products ORDER BY id")
    products = [{"id": i, "sku": s, "name": n, "price_cents": p, "in_stock": stock > 0} for i, s, n, p, stock in rows]
    orders = {}
    for oid, email, status, total in db.execute(
            "SELECT o.id, c.email, o.status, o.total_cents FROM orders o JOIN customers c ON c.id = o.customer_id"):
        orders[oid] = {"customer_email": email, "status": status, "total_cents": total}
    return products, orders


class Response:
    def __init__(self, status, body):
        self.status, self.body = status, body

    def json(self):
        try:
            return json.loads(self.body)
        except (ValueError, TypeError):
            return None


MAX_TIMEOUTS = 2  # a service that lets this many requests time out is not answering: stop asking it
_timeouts = [0]


def request(method, path, body=None, headers=None, timeout=2.0):
    """One HTTP request to the service; status None when it did not answer."""
    if _timeouts[0] >= MAX_TIMEOUTS:
        return Response(None, b"")
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        head = {"User-Agent": "shop-check/1.0", **(headers or {})}
        if data is not None:
            head["Content-Type"] = "application/json"
        connection.request(method, path, body=data, headers=head)
        reply = connection.getresponse()
        return Response(reply.status, reply.read(1_000_000))
    except TimeoutError:
        _timeouts[0] += 1
        return Response(None, b"")
    except (OSError, http.client.HTTPException):
        return Response(None, b"")
    finally:
        connection.close()


def _listening():
    try:
        with socket.create_connection(("127.0.0.1", PORT), timeout=0.2):
            return True
    except OSError:
        return False


class Service:
    """The service started by the check: ``mode`` "running" or "restart"."""

    def __init__(self, mode, app_dir, config_path, heap):
        self.mode, self.app_dir, self.config_path = mode, app_dir, config_path
        _timeouts[0] = 0
        self.log = open(f"/tmp/check-{mode}.log", "wb")  # noqa: SIM115 - closed in stop()
        command = ["python3", "-E", "-S", "-B", os.path.join(WS, app_dir, "server.py"),
                   "--config", config_path, "--root", WS]
        if heap:
            command += ["--heap", heap]
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": WS, "LANG": "C.UTF-8",
               "WR_MEMORY_MAX_MB": MEMORY_MAX_MB}
        self.process = subprocess.Popen(command, cwd=WS, env=env, stdin=subprocess.DEVNULL, stdout=self.log,
                                        stderr=self.log, close_fds=True, start_new_session=True)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline and self.process.poll() is None and not _listening():
            time.sleep(0.01)
        self.started = self.process.poll() is None and _listening()

    def alive(self):
        return self.process.poll() is None

    def stop(self):
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        kill_others()
        self.log.close()
        deadline = time.monotonic() + 2
        while _listening() and time.monotonic() < deadline:
            time.sleep(0.01)

    def config(self):
        return config(self.config_path)


def kill_others():
    """Every other process of the sandbox (what the service started, daemons it forked), until none is left."""
    me = os.getpid()
    for _ in range(100):
        others = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)]
        for pid in others:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass
        if not others:
            return
        time.sleep(0.005)


class Check:
    """Collects probes (customer-level facts: safe to show the student) and findings (brute-force moves)."""

    def __init__(self):
        raw = sys.stdin.buffer.read()
        head, _, archive = raw.partition(b"\n")
        header = json.loads(head)
        self.nonce, self.truth = header["nonce"], header.get("truth") or {}
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        self.channel = os.dup(1)
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        _non_dumpable()
        _unpack(archive)
        self.started = time.monotonic()
        self.probes, self.findings, self.internal = [], [], {}
        self.products, self.orders = expected_data()

    # -- recording ---------------------------------------------------------------------------------------
    def probe(self, mode, name, ok, detail=""):
        self.probes.append({"mode": mode, "name": name, "ok": bool(ok), "detail": detail if not ok else ""})
        return bool(ok)

    def finding(self, name):
        if name not in self.findings:
            self.findings.append(name)

    def finish(self, fixed_by=None):
        kill_others()
        passed = bool(self.probes) and all(p["ok"] for p in self.probes) and not self.findings
        record = {"passed": passed, "probes": self.probes, "findings": self.findings,
                  "fixed_by": fixed_by if passed else None, "seconds": round(time.monotonic() - self.started, 3),
                  "internal": self.internal}
        data = ("\n" + self.nonce + " " + json.dumps(record) + "\n").encode()
        while data:
            data = data[os.write(self.channel, data):]
        os._exit(0)

    # -- the service -------------------------------------------------------------------------------------
    def service_state(self):
        return (read("run/service.state") or "stopped").split()[0] if read("run/service.state") else "stopped"

    def start(self, mode):
        """The service as it runs now ("running") or as a restart would bring it up ("restart"), or None."""
        if mode == "running":
            state = self.service_state()
            if not self.probe(mode, "the service is running", state == "running",
                              f"the service manager says it is {state}"):
                return None
            app_dir, config_path, heap = "run/loaded/app", "run/loaded/config/service.ini", "run/heap.json"
        else:
            app_dir, config_path, heap = "app", "config/service.ini", ""
        if read(os.path.join(app_dir, "server.py")) is None:
            self.probe(mode, "the service starts", False, "its code is missing")
            return None
        service = Service(mode, app_dir, os.path.join(WS, config_path), heap)
        if not self.probe(mode, "the service starts", service.started,
                          "it exited or did not listen on port 8080 within a few seconds"):
            service.stop()
            return None
        return service

    # -- what every incident checks ---------------------------------------------------------------------
    def baseline(self, service, admin_token=None):
        """Customers' journeys and the admin's, and the moves that 'fix' by breaking something else."""
        mode = service.mode
        cfg = service.config()
        if cfg is None:
            self.finding("config_deleted")
            self.probe(mode, "the service has its configuration", False, "config/service.ini is missing")
        elif not cfg.get("server") or not cfg.get("auth") or not cfg.get("database"):
            self.finding("config_deleted")
            self.probe(mode, "the service has its configuration", False, "sections are missing from it")
        health = request("GET", "/health")
        self.probe(mode, "the health check answers ok", health.status == 200 and (health.json() or {}).get("status")
                   == "ok", f"GET /health answered {health.status or 'nothing'}")
        listing = request("GET", f"{PREFIX}/products")
        if listing.status == 200 and listing.json() != self.products:
            self.finding("data_lost")
        self.probe(mode, "customers can list the products", listing.status == 200 and listing.json() == self.products,
                   f"GET {PREFIX}/products answered {listing.status or 'nothing'}"
                   + (" with the wrong products" if listing.status == 200 else ""))
        page = request("GET", f"{PREFIX}/products/4")
        self.probe(mode, "customers can open a product page", page.status == 200 and page.json() == self.products[3],
                   f"GET {PREFIX}/products/4 answered {page.status or 'nothing'}")
        missing = request("GET", f"{PREFIX}/products/9999")
        self.probe(mode, "an unknown product is not found", missing.status == 404,
                   f"GET {PREFIX}/products/9999 answered {missing.status or 'nothing'}, not 404")
        nowhere = request("GET", "/no-such-page")
        self.probe(mode, "an unknown page is not found", nowhere.status == 404,
                   f"GET /no-such-page answered {nowhere.status or 'nothing'}, not 404")
        order = request("GET", f"{PREFIX}/orders/3")
        want = self.orders[3]
        got = order.json() or {}
        same = all(got.get(k) == v for k, v in want.items())
        self.probe(mode, "customers can see an order", order.status == 200 and same,
                   f"GET {PREFIX}/orders/3 answered {order.status or 'nothing'}")
        self.place_order(mode, {"customer_email": "night.shift@example.com",
                                "items": [{"product_id": 2, "quantity": 2}]}, "customers can place an order")
        empty = request("POST", f"{PREFIX}/orders", {"customer_email": "night.shift@example.com", "items": []})
        self.probe(mode, "an empty order is refused", empty.status == 400,
                   f"an order with no items answered {empty.status or 'nothing'}, not 400")
        self.admin(mode, cfg, admin_token)

    def place_order(self, mode, body, name):
        placed = request("POST", f"{PREFIX}/orders", body)
        data = placed.json() or {}
        ok = placed.status == 201 and isinstance(data.get("id"), int)
        if ok:
            back = request("GET", f"{PREFIX}/orders/{data['id']}").json() or {}
            expected = sum(self.products[i["product_id"] - 1]["price_cents"] * i["quantity"] for i in body["items"])
            ok = back.get("total_cents") == expected and back.get("customer_email") == body["customer_email"]
        return self.probe(mode, name, ok, f"POST {PREFIX}/orders answered {placed.status or 'nothing'}"
                          + (f": {data.get('error')}" if isinstance(data.get("error"), str) else ""))

    def admin(self, mode, cfg, admin_token=None):
        anonymous = request("GET", "/admin/stats")
        if anonymous.status == 200 or not truthy(setting(cfg, "auth", "required", "true")):
            self.finding("auth_disabled")
        self.probe(mode, "admin routes refuse anonymous requests", anonymous.status == 401,
                   f"GET /admin/stats without credentials answered {anonymous.status or 'nothing'}, not 401")
        debug = request("GET", "/admin/customers?debug=1")
        header = request("GET", "/admin/stats", headers={"X-Debug-Override": "1"})
        if 200 in (debug.status, header.status):
            self.finding("debug_override_on")
        self.probe(mode, "admin routes ignore the debug override", debug.status == 401 and header.status == 401,
                   "the debug override still lets requests into /admin")
        token = admin_token if admin_token is not None else setting(cfg, "auth", "admin_token")
        if not token:
            self.probe(mode, "the admin can sign in", False, "no admin token is configured")
            return
        signed = request("GET", "/admin/stats", headers={"Authorization": f"Bearer {token}"})
        stats = signed.json() or {}
        self.probe(mode, "the admin can sign in", signed.status == 200 and isinstance(stats.get("orders"), int),
                   f"GET /admin/stats with the configured token answered {signed.status or 'nothing'}")


def run(extra=None, decide=None):
    """The whole check: baseline (+ the incident's ``extra(check, service)``) in both modes, then
    ``decide(check) -> fixed_by`` (which accepted fix it was, or None)."""
    check = Check()
    for mode in ("running", "restart"):
        service = check.start(mode)
        if service is None:
            continue
        try:
            check.baseline(service)
            if extra is not None:
                extra(check, service)
            check.probe(mode, "the service is still up after the checks", service.alive(), "it died during the checks")
        finally:
            service.stop()
    fixed_by = None
    try:
        fixed_by = decide(check) if decide is not None else None
    except Exception as exc:  # noqa: BLE001 - a decision that breaks is recorded, never fatal to the check
        check.internal["decide_error"] = f"{type(exc).__name__}: {exc}"[:300]
    check.finish(fixed_by)
