"""The embedded SQLite database is tuned for many students at once (WAL, synchronous=NORMAL, busy timeout)."""

from __future__ import annotations

from sqlalchemy import text

from lti_app.extensions import SQLITE_BUSY_TIMEOUT_MS, db


def test_the_embedded_sqlite_runs_in_wal_mode_with_a_busy_timeout(make_app):
    app = make_app()
    with app.app_context():
        assert db.engine.dialect.name == "sqlite"
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS


def test_postgresql_connections_are_left_alone(make_app, postgres_database):
    app = make_app(CR_DATABASE_URL=postgres_database)
    with app.app_context(), db.engine.connect() as conn:
        assert conn.execute(text("SHOW synchronous_commit")).scalar() == "on"
