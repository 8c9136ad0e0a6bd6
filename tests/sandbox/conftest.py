"""Sandbox fixtures: every contract test runs against both real backends.

The local backend needs bubblewrap; the docker backend needs the engine that
scripts/test-setup.d/20-docker-engine.sh starts (env CR_TEST_DOCKER_URL). Locally a missing one is
skipped with the reason; with CI=true it is a failure, never a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.sandbox import SandboxBackend, get_backend

DOCKER_URL = os.environ.get("CR_TEST_DOCKER_URL", "unix:///run/cr-docker/docker.sock")
IN_CI = os.environ.get("CI", "").lower() == "true"
REPO = Path(__file__).resolve().parents[2]

_cache: dict[str, SandboxBackend | str] = {}


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"sandbox backend unavailable in CI: {reason}")
    pytest.skip(reason)


def _make(name: str) -> SandboxBackend:
    if name not in _cache:
        try:
            backend = (
                # docker: with a pool, as compose runs it (requests with other fixed limits take the cold path)
                get_backend("local", slots=2) if name == "local"
                else get_backend("docker", base_url=DOCKER_URL, pool_size=2)
            )
            problems = backend.check()
            fatal = [p for p in problems if "smoke test" in p or "not reachable" in p or "missing" in p
                     or "not installed" in p]
            _cache[name] = backend if not fatal else "; ".join(fatal)
        except Exception as exc:  # noqa: BLE001 - whatever broke, report it as the reason
            _cache[name] = f"{name} backend cannot start: {exc}"
    value = _cache[name]
    if isinstance(value, str):
        _unavailable(value)
    assert isinstance(value, SandboxBackend)
    return value


@pytest.fixture(scope="session")
def local_backend() -> SandboxBackend:
    return _make("local")


@pytest.fixture(scope="session")
def docker_backend() -> SandboxBackend:
    return _make("docker")


@pytest.fixture(params=["local", pytest.param("docker", marks=pytest.mark.docker)])
def backend(request: pytest.FixtureRequest) -> Iterator[SandboxBackend]:
    yield _make(request.param)
