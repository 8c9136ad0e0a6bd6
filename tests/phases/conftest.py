"""LMS and tool fixtures for the phases' LTI-level tests (the dev LMS over real HTTP)."""

from tests.lti.conftest import browser, make_lms, make_tool, tool  # noqa: F401
