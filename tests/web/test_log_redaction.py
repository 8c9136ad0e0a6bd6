"""Launch ids in URLs are credentials: no log line (gunicorn's access log, the app's JSON lines) carries one
in full, only its first characters."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from lti_app.logs import JsonFormatter, redact_launch_ids

ROOT = Path(__file__).resolve().parents[2]
FAKE = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcdE"  # the shape of a launch id (token_urlsafe(32))


def test_launch_ids_in_tool_urls_are_cut_to_their_start():
    for text, expected in [
        (f"GET /a/{FAKE} HTTP/1.1", "GET /a/AbCdEf… HTTP/1.1"),
        (f"/a/{FAKE}/report", "/a/AbCdEf…/report"),
        (f"/api/a/{FAKE}/submissions/3/events?x=1", "/api/a/AbCdEf…/submissions/3/events?x=1"),
        (f"/i/{FAKE}/results.csv", "/i/AbCdEf…/results.csv"),
        (f"/api/i/{FAKE}/attempts/4", "/api/i/AbCdEf…/attempts/4"),
        (f"https://tool.example/lti/deep-link/{FAKE}", "https://tool.example/lti/deep-link/AbCdEf…"),
        (f"POST /lti/configure/{FAKE} HTTP/1.1", "POST /lti/configure/AbCdEf… HTTP/1.1"),
        ("GET /lti/jwks.json HTTP/1.1", "GET /lti/jwks.json HTTP/1.1"),
        (f"launch accepted launch_id={FAKE} issuer=x", "launch accepted launch_id=AbCdEf… issuer=x"),
        ("/static/app.css", "/static/app.css"),
        ("/dev/canvas/launch?user=a", "/dev/canvas/launch?user=a"),
    ]:
        assert redact_launch_ids(text) == expected


def test_the_apps_log_lines_never_carry_a_launch_id(make_app, seed_launch):
    app = make_app()
    launch_id = seed_launch(app)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    try:
        client = app.test_client()
        assert client.get(f"/api/a/{FAKE}/status").status_code == 401  # "request rejected: 401 GET /api/a/…"
        assert client.post(f"/a/{launch_id}/acknowledge", data={}).status_code == 403  # csrf refused
        with app.test_request_context(f"/a/{launch_id}"):
            logging.getLogger("lti_app.lti").info("launch accepted launch_id=%s issuer=x", launch_id)
            try:
                raise RuntimeError(f"failed on /a/{launch_id}/report")
            except RuntimeError:
                logging.getLogger("lti_app").exception("unhandled error on GET /a/%s", launch_id)
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    text = "\n".join(f"{line['msg']}\n{line.get('exc', '')}" for line in lines)
    assert f"/api/a/{FAKE[:6]}…/status" in text and f"launch_id={launch_id[:6]}…" in text
    assert f"failed on /a/{launch_id[:6]}…/report" in text  # a traceback's text too
    assert [line.get("launch") for line in lines if line["msg"].startswith("launch accepted")] == [launch_id[:6] + "…"]
    assert FAKE not in text and launch_id not in text
    assert launch_id[:7] not in text.replace(launch_id[:6] + "…", "")  # only ever the first 6 characters


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorns_access_log_never_carries_a_launch_id(make_app, seed_launch, tmp_path):
    """gunicorn started as scripts/run.sh starts it (from the repository root, which holds gunicorn.conf.py)."""
    database = f"sqlite:///{tmp_path / 'gunicorn.db'}"
    app = make_app(CR_DATABASE_URL=database)
    launch_id = seed_launch(app)
    port = _free_port()
    access_log = tmp_path / "access.log"
    env = {**os.environ, "CR_DATABASE_URL": database, "CR_DATA_DIR": str(tmp_path / "gunicorn-data"),
           "CR_SECRET_KEY": "test-secret-key-0123456789", "CR_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--threads", "2", "--worker-class", "gthread", "--access-logfile", str(access_log), "lti_app.wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{base}/healthz", timeout=2)
                break
            except requests.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        assert requests.get(f"{base}/a/{launch_id}", timeout=10).status_code == 200
        assert requests.get(f"{base}/api/a/{launch_id}/status", timeout=10).status_code == 200
        assert requests.get(f"{base}/a/{FAKE}/report", timeout=10).status_code == 401
        deadline = time.monotonic() + 10
        while FAKE[:6] not in access_log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode(errors="replace")
    logged = access_log.read_text()
    assert f"GET /a/{launch_id[:6]}… HTTP/1.1" in logged, logged
    assert f"GET /a/{FAKE[:6]}…/report" in logged
    assert launch_id not in logged and FAKE not in logged
    assert launch_id not in output and FAKE not in output


def test_the_image_starts_gunicorn_with_the_same_configuration():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY gunicorn.conf.py" in dockerfile and '"--config", "gunicorn.conf.py"' in dockerfile
