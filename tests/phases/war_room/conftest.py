"""War Room domain fixtures: the real local sandbox (bubblewrap, from tests/sandbox)."""

from tests.sandbox.conftest import local_backend  # noqa: F401 - the fixture, reused
