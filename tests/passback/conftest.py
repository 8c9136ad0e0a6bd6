"""Grade delivery tests reuse the LTI suite's live tool and dev-LMS fixtures (real HTTP on 127.0.0.1)."""

from tests.lti.conftest import browser, make_lms, make_tool, tool  # noqa: F401
