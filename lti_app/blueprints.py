"""Registers every blueprint; each area adds its own line here."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from lti_app.devlms import register_devlms
    from lti_app.health import bp as health_bp
    from lti_app.lti.views import bp as lti_bp
    from lti_app.phases.registry import all_adapters
    from lti_app.views.instructor import bp as instructor_bp
    from lti_app.views.student import bp as student_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(lti_bp)
    register_devlms(app)  # /dev LMS, only when settings.dev_platform
    app.register_blueprint(student_bp)
    app.register_blueprint(instructor_bp)
    for adapter in all_adapters():
        if adapter.blueprint is not None:
            app.register_blueprint(adapter.blueprint)
