"""All tables. Import submodules here so Alembic and create_all see every model."""

from lti_app.models.lti import *  # noqa: F401,F403
