"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lti_app.extensions import db


def test_migrations_match_the_models(make_app, database_url):
    app = make_app(CR_DATABASE_URL=database_url)  # make_app runs `flask db upgrade`
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "models changed without a migration: run `flask db migrate`"


def test_downgrade_to_nothing_and_back(make_app):
    from flask_migrate import downgrade, upgrade

    app = make_app()
    with app.app_context():
        directory = app.extensions["migrate"].directory
        downgrade(directory=directory, revision="base")
        assert db.inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade(directory=directory)
        assert "attempt" in db.inspect(db.engine).get_table_names()
