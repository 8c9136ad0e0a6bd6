"""The worker refuses to start on a sandbox that cannot run code here, and says which setting and why."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import REDIS_URL
from worker.cli import worker_cli


def test_check_sandbox_reports_the_local_sandbox_ready(make_app: Any) -> None:
    app = make_app()
    result = app.test_cli_runner().invoke(worker_cli, args=["check-sandbox"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("sandbox local: ready")


def test_unreachable_docker_engine_is_named_not_a_traceback(make_app: Any, tmp_path: Any) -> None:
    socket = tmp_path / "no-engine.sock"
    app = make_app(CR_SANDBOX_BACKEND="docker", CR_DOCKER_URL=f"unix://{socket}", CR_QUEUE_MODE="rq",
                   CR_REDIS_URL=REDIS_URL)
    for command in (["check-sandbox"], ["run", "--burst", "--no-reconcile"]):
        result = app.test_cli_runner().invoke(worker_cli, args=command)
        assert result.exit_code == 1, result.output
        assert "CR_SANDBOX_BACKEND=docker" in result.output
        assert f"Docker engine not reachable at unix://{socket}" in result.output
        assert "Traceback" not in result.output


def test_a_failing_start_up_check_says_what_the_test_program_did():
    """Seen once under load: the message ended after 'cannot run code on this host:' with nothing."""
    from grader.sandbox import RunResult, SandboxBackend, SandboxError, ensure_ready

    class Broken(SandboxBackend):
        name = "broken"

        def run(self, request):  # type: ignore[no-untyped-def]
            return RunResult(stdout="", stderr="bwrap: Creating new namespace failed", exit_code=1, wall_seconds=0.2)

        def check(self) -> list[str]:
            return []

    with pytest.raises(SandboxError) as raised:
        ensure_ready(Broken())
    message = str(raised.value)
    assert "outcome 'error'" in message and "exit 1" in message and "Creating new namespace failed" in message
