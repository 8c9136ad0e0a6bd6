"""The execution service every coding phase uses: run untrusted student code and test it.

Public API (everything a caller needs is importable from here)::

    from grader.sandbox import get_backend, Limits, RunRequest, TestCase, run_program, run_tests

    backend = get_backend("local")            # or get_backend("docker", base_url=..., image=...)
    problems = ensure_ready(backend)           # at start-up: raises if unusable, else lists degradations
    result = run_program(backend, "python", "print(input())", stdin="hi")      # "Run": RunResult
    examples = run_examples(backend, "python", source, "add", [TestCase([1, 2], 3)])  # "Run" examples
    report = run_tests(backend, "python", source, "add",                      # "Submit": TestReport
                       [TestCase([1, 2], 3), TestCase([5, 5], 10, hidden=True)])
    result.to_dict(); report.to_dict()         # JSON-ready for the worker

Backends: ``local`` (bubblewrap, the embedded default, see :mod:`grader.sandbox.local`) and ``docker``
(production, see :mod:`grader.sandbox.docker_backend`). Both honour the same :class:`Limits`
(defaults: no network, 256 MB, 50 processes, 30 s wall and CPU, read-only root, non-root user, no
capabilities, 64 MB writable /tmp and a 1 MiB /dev/shm as the only writable places, output capped per
stream). ``RunResult.outcome`` names what a run hit: memory, processes, timeout, output... How hidden
tests stay unforgeable and unleakable is explained in :mod:`grader.sandbox.harness`.
"""

from __future__ import annotations

from typing import Any

from .backend import SandboxBackend
from .harness import CaseResult, TestCase, TestReport, run_examples, run_program, run_tests, values_equal
from .languages import LANGUAGE_SPECS
from .types import LANGUAGES, InvalidRequest, Limits, RunRequest, RunResult, SandboxError

BACKENDS = ("local", "docker")


def get_backend(name: str = "local", **options: Any) -> SandboxBackend:
    """Create a backend by name. Options go to its constructor:

    * ``local``: ``slots=4``, ``uid_base=60000``, ``state_dir="/run/cr-sandbox"``, ``use_cgroups=True``,
      ``use_seccomp=True``, ``uids=128`` (live sandboxes, parked or running, each hold one uid from
      ``uid_base``).
    * ``docker``: ``base_url`` (default env ``DOCKER_HOST`` or the local socket), ``image``,
      ``pool_size=0`` (containers kept started ahead of demand, each used for one run), ``run_dir``
      (host directory for code volumes, must be visible to the Docker engine).
    """
    if name == "local":
        from .local import LocalBackend

        return LocalBackend(**options)
    if name == "docker":
        from .docker_backend import DockerBackend

        return DockerBackend(**options)
    raise InvalidRequest(f"unknown sandbox backend {name!r}; expected one of {', '.join(BACKENDS)}")


def ensure_ready(backend: SandboxBackend) -> list[str]:
    """Start-up check for a worker: raise :class:`SandboxError` naming what is missing if the backend
    cannot run a program on this host; otherwise return the degradations worth logging (e.g. no
    cgroup memory limit), an empty list when fully working."""
    problems = backend.check()
    try:
        result = run_program(backend, "python", "print('ready')", limits=Limits(wall_seconds=30))
        works = result.ok and result.stdout.strip() == "ready"
        if not works:  # say what happened: an empty reason helps no operator
            problems = [*problems, f"a test program ended with outcome {result.outcome!r} (exit {result.exit_code}, "
                                   f"{result.wall_seconds:.1f} s): {(result.stderr or result.stdout).strip()[:300]!r}"]
    except SandboxError as exc:
        works, problems = False, [*problems, str(exc)]
    if not works:
        raise SandboxError(f"the {backend.name} sandbox cannot run code on this host: " + "; ".join(problems))
    return problems


__all__ = [
    "BACKENDS", "LANGUAGES", "LANGUAGE_SPECS", "CaseResult", "InvalidRequest", "Limits", "RunRequest",
    "RunResult", "SandboxBackend", "SandboxError", "TestCase", "TestReport", "ensure_ready", "get_backend",
    "run_examples", "run_program",
    "run_tests", "values_equal",
]
