"""Shared fixtures: apps on SQLite or on a fresh PostgreSQL database, and launches seeded through the
real launch store (for tests of what happens after the LTI layer has validated a launch)."""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import load_settings

POSTGRES_URL = os.environ.get("CR_TEST_POSTGRES_URL", "postgresql://cr_test:cr_test@127.0.0.1:5432/cr_test")
REDIS_URL = os.environ.get("CR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_db() -> Iterator[Redis]:
    """The tests' Redis database (CR_TEST_REDIS_URL), empty before and after the test."""
    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield connection
    connection.flushdb()


@pytest.fixture(autouse=True)
def _fresh_service_tokens() -> Iterator[None]:
    """Dev LMSes of different tests share an issuer and client id (every Canvas does), and may even reuse a
    port, so a cached service token could meet the wrong LMS: start every test with none."""
    from lti_app.lti import service_token

    service_token._cache.clear()
    yield
    service_token._cache.clear()


@pytest.fixture(scope="session")
def llama_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of one real llama.cpp server (SmolLM2-135M) shared by the session's `llm` tests."""
    from tests.support.llama_server import MISSING, llama_server, model_path

    model = model_path()
    if model is None:
        if os.environ.get("CI"):
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    with llama_server(model, tmp_path_factory.mktemp("llama") / "server.log") as base:
        yield base


def _admin_engine() -> Any:
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    name = f"cr_test_{secrets.token_hex(6)}"
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cr.db'}"
    return request.getfixturevalue("postgres_database")


@pytest.fixture
def make_app(tmp_path: Any) -> Iterator[Callable[..., Flask]]:
    """Build an app from CR_* settings; tables come from the Alembic migrations, as in production."""
    apps: list[Flask] = []

    def build(**env: str) -> Flask:
        from lti_app import create_app
        from lti_app.extensions import db

        values = {
            "CR_DATA_DIR": str(tmp_path / f"data-{len(apps)}"),
            "CR_DATABASE_URL": f"sqlite:///{tmp_path / 'cr.db'}",
            "CR_SECRET_KEY": "test-secret-key-0123456789",
            "CR_PUBLIC_BASE_URL": "http://127.0.0.1:5000",
            "CR_WORK_HEARTBEAT_SECONDS": "0.5",
            "CR_RECONCILE_SECONDS": "0.5",
        }
        values.update(env)
        app = create_app(load_settings(values), TESTING=True)
        with app.app_context():
            upgrade_schema(app)
        apps.append(app)
        del db
        return app

    yield build
    from lti_app.dispatch import get_dispatcher
    from lti_app.extensions import db

    for app in apps:
        get_dispatcher(app).stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def upgrade_schema(app: Flask) -> None:
    from flask_migrate import upgrade

    upgrade(directory=app.extensions["migrate"].directory)


@pytest.fixture
def seed_launch() -> Callable[..., str]:
    """Store a validated launch in the real launch store and run the post-launch hand-over.

    This stands in for the OIDC round trip, which tests/lti covers over real HTTP; here the subject is
    what the tool does with a launch, not how it validates one.
    """

    def seed(
        app: Flask,
        *,
        role: str = "Learner",
        sub: str | None = None,
        context_id: str = "course-1",
        resource_link_id: str = "link-1",
        custom: dict[str, str] | None = None,
        lineitem_url: str | None = None,
        issuer: str = "https://platform.example",
        platform_family: str = "generic",
    ) -> str:
        from lti_app.launches import on_resource_launch
        from lti_app.lti.context import LaunchContext
        from lti_app.lti.launch_store import RESOURCE_LINK, new_launch_id, persist_launch

        launch_id = new_launch_id()
        ctx = LaunchContext(
            launch_id=launch_id,
            issuer=issuer,
            client_id="client-1",
            deployment_id="deployment-1",
            user_sub=sub or f"user-{uuid.uuid4().hex[:8]}",
            user_name="Test Person",
            user_email="person@example.edu",
            roles=(f"http://purl.imsglobal.org/vocab/lis/v2/membership#{role}",),
            context_id=context_id,
            context_title="Course",
            resource_link_id=resource_link_id,
            resource_link_title="Orientation",
            custom=custom if custom is not None else {"phase": "acknowledge", "max_attempts": "2"},
            platform_family=platform_family,
            ags_lineitem_url=lineitem_url,
        )
        with app.test_request_context():
            persist_launch(
                message_type=RESOURCE_LINK,
                issuer=issuer,
                client_id="client-1",
                deployment_id="deployment-1",
                user_sub=ctx.user_sub,
                nonce=secrets.token_hex(8),
                state=secrets.token_hex(8),
                data=ctx.to_dict(),
                launch_id=launch_id,
            )
            on_resource_launch(ctx)
        return launch_id

    return seed


@pytest.fixture
def chromium() -> Iterator[Any]:
    """A headless Chromium browser for one test (tests/support/chromium.py)."""
    from playwright.sync_api import sync_playwright

    from tests.support.chromium import launch

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()
