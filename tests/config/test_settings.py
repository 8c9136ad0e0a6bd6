"""Settings: embedded defaults, and a bad value fails at start with a message naming the variable."""

from __future__ import annotations

import pytest

from config import ConfigError, Settings, load_settings


def test_embedded_defaults(tmp_path):
    settings = load_settings({"CR_DATA_DIR": str(tmp_path)})
    assert settings.database_url.startswith("sqlite:///")
    assert (settings.queue_mode, settings.sandbox_backend, settings.llm_provider) == ("inprocess", "local", "offline")
    # The generated secret is kept, so sessions survive a restart, and private to the owner.
    assert load_settings({"CR_DATA_DIR": str(tmp_path)}).secret_key == settings.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        ("CR_QUEUE_MODE", "celery", "CR_QUEUE_MODE"),
        ("CR_SANDBOX_BACKEND", "chroot", "CR_SANDBOX_BACKEND"),
        ("CR_LLM_PROVIDER", "magic", "CR_LLM_PROVIDER"),
        ("CR_DATABASE_URL", "mysql://x/y", "CR_DATABASE_URL"),
        ("CR_REDIS_URL", "http://localhost", "CR_REDIS_URL"),
        ("CR_DOCKER_URL", "/var/run/docker.sock", "CR_DOCKER_URL"),
        ("CR_LLM_TIMEOUT", "soon", "CR_LLM_TIMEOUT"),
        ("CR_LLM_TIMEOUT", "-1", "CR_LLM_TIMEOUT"),
        ("CR_LLM_MAX_RETRIES", "-2", "CR_LLM_MAX_RETRIES"),
        ("CR_INPROCESS_WORKERS", "0", "CR_INPROCESS_WORKERS"),
        ("CR_TRUST_PROXY", "maybe", "CR_TRUST_PROXY"),
        ("CR_PUBLIC_BASE_URL", "tool.example.edu", "CR_PUBLIC_BASE_URL"),
        ("CR_SECRET_KEY", "short", "CR_SECRET_KEY"),
        ("CR_LOG_LEVEL", "LOUD", "CR_LOG_LEVEL"),
    ],
)
def test_bad_values_name_the_variable(tmp_path, variable, value, fragment):
    with pytest.raises(ConfigError, match=fragment):
        load_settings({"CR_DATA_DIR": str(tmp_path), variable: value})


def test_postgres_short_scheme_is_normalised(tmp_path):
    settings = load_settings({"CR_DATA_DIR": str(tmp_path), "CR_DATABASE_URL": "postgres://u@h/db"})
    assert settings.database_url == "postgresql://u@h/db"


def test_secrets_stay_out_of_repr(tmp_path):
    settings = load_settings(
        {"CR_DATA_DIR": str(tmp_path), "CR_SECRET_KEY": "s3cr3t-value-long-enough", "CR_LLM_API_KEY": "sk-hidden"}
    )
    assert "s3cr3t" not in repr(settings) and "sk-hidden" not in repr(settings)


def test_every_setting_is_documented():
    documented = dict(Settings.documented())
    assert all(name.startswith("CR_") and text for name, text in documented.items())
    assert len(documented) == len(Settings.__dataclass_fields__)


def test_the_app_refuses_to_start_on_a_bad_value(tmp_path, monkeypatch):
    from lti_app import create_app

    monkeypatch.setenv("CR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CR_QUEUE_MODE", "sometimes")
    with pytest.raises(ConfigError, match="CR_QUEUE_MODE"):
        create_app()


def test_readme_documents_every_setting():
    """The README's configuration table is the operator's reference: no setting may be missing from it."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    missing = [name for name, _ in Settings.documented() if f"| `{name}` |" not in readme]
    assert not missing, f"README.md's configuration table lacks {missing}"


def test_pooled_connections_are_tested_before_use_only_where_they_can_drop(tmp_path):
    """A PostgreSQL connection can die while pooled (a restart, an idle timeout): each is pinged before use. An
    SQLite file cannot, and pinging it was one more statement on every request."""
    from lti_app import create_app
    from lti_app.extensions import db
    from tests.conftest import POSTGRES_URL

    for url, pinged in ((f"sqlite:///{tmp_path / 'cr.db'}", False), (POSTGRES_URL, True)):
        app = create_app(load_settings({"CR_DATA_DIR": str(tmp_path), "CR_DATABASE_URL": url,
                                        "CR_SECRET_KEY": "test-secret-key-0123456789"}))
        with app.app_context():
            assert db.engine.pool._pre_ping is pinged, url
            db.engine.dispose()
