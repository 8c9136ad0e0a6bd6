"""The real sandbox backends (tests/sandbox's fixtures: local bubblewrap and Docker)."""

from tests.sandbox.conftest import backend, docker_backend, local_backend  # noqa: F401 - the fixtures, reused
