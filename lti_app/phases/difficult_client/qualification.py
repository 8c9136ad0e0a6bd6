"""May the configured model's question ratings count? The web side of grader.phases.difficult_client.qualify.

The verdict lives in ``CR_DATA_DIR/llm_qualification.json`` (one per model). A chat turn asks ``judge_trusted``:
until a verdict says "trusted", the model only phrases the client's replies and the Director uses the rubric
alone. ``start_qualification`` is the start-up check: when an LLM is configured and its verdict is missing, one
background thread per deployment (a file lock keeps the other processes out) plays the scripted students through
the model and stores the verdict, logging why it was or was not trusted.
"""

from __future__ import annotations

import fcntl
import logging
import threading
from pathlib import Path
from typing import Any

from grader.llm.base import Provider
from grader.phases.difficult_client.qualify import STORE_NAME, Verdict, VerdictStore, ensure_verdict, model_key

log = logging.getLogger(__name__)
_read_lock = threading.Lock()
_seen: dict[Path, tuple[int, dict[str, Verdict | None]]] = {}  # store file -> (mtime_ns, verdicts read so far)


def store_path(settings: Any) -> Path:
    return Path(settings.data_dir) / STORE_NAME


def judge_trusted(provider: Provider, settings: Any) -> bool:
    """True only when a stored verdict says this model's ratings order students as the rubric does. Cheap: the
    file is re-read only when it changed."""
    if not provider.enabled:
        return False
    path, key = store_path(settings), model_key(provider)
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return False
    with _read_lock:
        stamp, verdicts = _seen.get(path, (-1, {}))
        if stamp != mtime:
            verdicts = {}
            _seen[path] = (mtime, verdicts)
        if key not in verdicts:
            verdicts[key] = VerdictStore(path).load(key)
        verdict = verdicts[key]
    return verdict is not None and verdict.trusted


def start_qualification(settings: Any) -> threading.Thread | None:
    """The start-up check: qualify the configured model in the background if it has no verdict yet."""
    if settings.llm_provider == "offline":
        return None
    from grader.llm.factory import make_provider

    provider = make_provider(settings)
    store = VerdictStore(store_path(settings))
    verdict = store.load(model_key(provider))
    if verdict is not None:
        log.log(logging.INFO if verdict.trusted else logging.WARNING,
                "LLM %s: question rating %s (%s)", verdict.model,
                "trusted" if verdict.trusted else "NOT trusted, phrasing only", verdict.reason)
        return None
    thread = threading.Thread(target=_qualify_once, args=(provider, store), name="llm-qualify", daemon=True)
    thread.start()
    return thread


def _qualify_once(provider: Provider, store: VerdictStore) -> None:
    lock_path = store.path.with_suffix(".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            log.info("LLM qualification already running in another process")
            return
        try:
            ensure_verdict(provider, store)  # logs the verdict and its reason
        except Exception:  # noqa: BLE001 — a failed check leaves the model untrusted, never the app down
            log.exception("LLM qualification failed; the model stays phrasing-only")
