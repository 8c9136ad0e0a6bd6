"""All tables. Import submodules here so Alembic and create_all see every model."""

from lti_app.models.domain import (  # noqa: F401
    Accommodation,
    Activity,
    Attempt,
    AttemptStatus,
    Course,
    CrucibleVariant,
    Draft,
    Evaluation,
    GradeRow,
    Message,
    Passback,
    Submission,
    User,
    WorkRow,
    WorkspaceRow,
    WorkStatus,
    utcnow,
)
from lti_app.models.lti import *  # noqa: F401,F403
