"""The incident's logs up to the moment the page went off: realistic traffic and chatter, deterministic from
the attempt's seed and the difficulty, with the incident's symptom and events woven in.

Difficulty changes how much noise there is and how misleading the first symptoms are: easy has little
traffic and the telling lines; medium more traffic, bots and slow-request warnings; hard the most traffic,
health checks every 30 s, general red herrings (errors that have nothing to do with the incident) plus the
incident's own, and only the lines the service logs at its (quieter) log level.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from grader.phases.war_room.incidents import Incident

WINDOW = timedelta(minutes=75)  # how far back the logs go from the page
VOLUME = {"easy": 50, "medium": 220, "hard": 600}  # customer requests in the window
HEALTH_EVERY = {"easy": None, "medium": 120, "hard": 30}  # seconds between the load balancer's health checks
BOTS = {"easy": 0, "medium": 8, "hard": 20}
CHATTER = {"easy": 6, "medium": 25, "hard": 60}  # app.log INFO lines unrelated to anything
SLOW = {"easy": 0, "medium": 4, "hard": 10}  # slow-request warnings
HERRINGS = {"easy": 0, "medium": 1, "hard": 4}  # general red herrings (errors about something else)
LEVEL_RANK = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}

CUSTOMERS = ("83.51.12.7", "91.203.44.18", "145.14.77.201", "62.210.9.33", "188.22.140.5", "77.48.3.190",
             "5.146.92.11", "213.87.20.64", "31.13.88.2", "109.190.41.77", "82.64.10.129", "94.23.148.6")
AGENTS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/122.0 Safari/537.36",
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 Version/17.3 Safari/605.1.15",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
          "NorthwindApp/5.2.1 (iOS 17.3)", "NorthwindApp/5.2.0 (Android 14)", "NorthwindApp/5.1.9 (Android 13)")
BOT_PATHS = ("/wp-login.php", "/.env", "/admin.php", "/xmlrpc.php", "/.git/config", "/phpmyadmin/")
CHATTER_LINES = (
    "scheduler: job 'abandoned-carts' finished in {ms} ms",
    "scheduler: job 'stock-sync' updated {n} products",
    "cache stats: hit rate {pct}%",
    "orders: confirmation email queued for order {order}",
    "scheduler: job 'sitemap' finished in {ms} ms",
    "db pool: {n} connections idle",
)
GENERAL_HERRINGS = (
    "ERROR   shop-api[{pid}] payments: gateway timeout after 5000 ms for order {order} (retried, succeeded)",
    "ERROR   shop-api[{pid}] rates: failed to refresh exchange rates: HTTP 503 from rates.example.net",
    "WARNING shop-api[{pid}] disk usage on /var/log at 91%",
    "ERROR   shop-api[{pid}] smtp: connection refused by mail relay; 3 confirmation emails deferred",
    "WARNING shop-api[{pid}] clock skew of 1.8 s detected against ntp.example.net",
    "ERROR   shop-api[{pid}] search: reindex job failed: timeout talking to the search sidecar",
)


@dataclass(order=True)
class Line:
    at: datetime
    order: int
    file: str
    text: str  # with {pid} (and {ts} for the access log) still to fill


def _clock(incident: Incident, hms: str) -> datetime:
    hour, minute, second = (int(x) for x in hms.split(":"))
    return incident.incident_time.replace(hour=hour, minute=minute, second=second)


def _access(client: str, method: str, path: str, status: int, size: int, agent: str) -> str:
    return f'{client} - - [{{ts}}] "{method} {path} HTTP/1.1" {status} {size} "-" "{agent}"'


def _customer_request(rng: random.Random) -> tuple[str, str, int, int]:
    """(method, path, status when healthy, size)."""
    roll = rng.random()
    if roll < 0.3:
        return "GET", "/api/v1/products", 200, 1190
    if roll < 0.75:
        product = rng.randint(1, 8)
        return "GET", f"/api/v1/products/{product}", 200, rng.randint(120, 160)
    if roll < 0.88:
        return "GET", f"/api/v1/orders/{rng.randint(1, 6)}", 200, rng.randint(190, 260)
    return "POST", "/api/v1/orders", 201, rng.randint(200, 240)


def generate(incident: Incident, difficulty: str, seed: int) -> dict[str, str]:
    """{log file name: text} for logs/ (app.log, access.log, kern.log; the ones with lines)."""
    rng = random.Random(f"{incident.id}:{difficulty}:{seed}")
    end = incident.incident_time
    start = end - WINDOW
    lines: list[Line] = []
    counter = iter(range(10**9))

    def add(at: datetime, file: str, text: str) -> None:
        if start <= at <= end:
            lines.append(Line(at, next(counter), file, text))

    def when() -> datetime:
        return start + timedelta(seconds=rng.uniform(0, WINDOW.total_seconds()))

    level = (incident.data["system"].get("log_level") or {}).get(difficulty, "INFO")
    symptom = incident.data["logs"].get("symptom")
    symptom_from = _clock(incident, symptom["start"]) if symptom else None
    for _ in range(VOLUME[difficulty]):
        at = when()
        method, path, status, size = _customer_request(rng)
        client, agent = rng.choice(CUSTOMERS), rng.choice(AGENTS)
        hit = symptom_from is not None and at >= symptom_from and method in symptom["methods"]
        if hit:
            status, size = symptom["status"], rng.randint(20, 60)
            if symptom["app_line"] and difficulty in symptom["app_line_in"]:
                add(at, "app.log", symptom["app_line"].format(pid="{pid}", method=method, path=path))
        add(at, "access.log", _access(client, method, path, status, size, agent))
    if HEALTH_EVERY[difficulty]:
        tick = start
        while tick <= end:
            healthy = symptom["health"] if symptom_from is not None and tick >= symptom_from else 200
            add(tick, "access.log", _access("10.0.0.2", "GET", "/health", healthy, 96, "ELB-HealthChecker/2.0"))
            tick += timedelta(seconds=HEALTH_EVERY[difficulty])
    for _ in range(BOTS[difficulty]):
        add(when(), "access.log", _access(f"45.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}",
                                          "GET", rng.choice(BOT_PATHS), 404, 22, "Mozilla/5.0 zgrab/0.x"))
    if LEVEL_RANK["INFO"] >= LEVEL_RANK.get(level, 20):
        for _ in range(CHATTER[difficulty]):
            text = rng.choice(CHATTER_LINES).format(ms=rng.randint(80, 900), n=rng.randint(1, 8),
                                                    pct=rng.randint(71, 96), order=rng.randint(1100, 1300))
            add(when(), "app.log", f"INFO    shop-api[{{pid}}] {text}")
    for _ in range(SLOW[difficulty]):
        method, path, _, _ = _customer_request(rng)
        add(when(), "app.log", f"WARNING shop-api[{{pid}}] slow request {rng.randint(1100, 2600)} ms {method} {path}")
    for text in rng.sample(GENERAL_HERRINGS, HERRINGS[difficulty]):
        add(when(), "app.log", text.format(pid="{pid}", order=rng.randint(1100, 1300)))
    events: list[dict[str, Any]] = list(incident.data["logs"]["events"])
    if difficulty == "hard":
        events += incident.data["red_herrings"]
    for event in events:
        if difficulty in event["difficulties"]:
            for hms in event["at"]:
                add(_clock(incident, hms), event["file"], event["text"])
    return _render(sorted(lines), rng)


def _render(lines: list[Line], rng: random.Random) -> dict[str, str]:
    """Fill in pids (a new one from each "Started shop-api" on) and timestamps, file by file."""
    pid = rng.randint(1800, 3200)
    out: dict[str, list[str]] = {}
    for line in lines:
        if "Started shop-api" in line.text:
            pid += rng.randint(3, 40)
        text = line.text.replace("{pid}", str(pid))
        if line.file == "access.log":
            out.setdefault(line.file, []).append(text.replace("{ts}", line.at.strftime("%d/%b/%Y:%H:%M:%S +0000")))
        elif line.file == "kern.log":
            out.setdefault(line.file, []).append(f"{line.at.strftime('%b %d %H:%M:%S')} shop-prod-1 kernel: {text}")
        else:
            out.setdefault(line.file, []).append(f"{line.at.strftime('%Y-%m-%dT%H:%M:%S')}Z {text}")
    return {name: "\n".join(rows) + "\n" for name, rows in out.items()}


def last_pid(logs: dict[str, str]) -> int | None:
    """The pid of the service's most recent start in app.log (the running process at the page)."""
    for row in reversed(logs.get("app.log", "").splitlines()):
        if "Started shop-api (pid " in row:
            return int(row.rsplit("(pid ", 1)[1].split(")")[0])
    return None
