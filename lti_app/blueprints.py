"""Registers every blueprint; each area adds its own line here."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from lti_app.health import bp as health_bp
    from lti_app.lti.views import bp as lti_bp
    from lti_app.phases import all_phases
    from lti_app.views.instructor import bp as instructor_bp
    from lti_app.views.student import bp as student_bp
    from lti_app.workbench.web import bp as workbench_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(lti_bp)
    if app.config["SETTINGS"].dev_platform:  # the dev LMS is a development tool: never imported otherwise
        from devlms import register_devlms

        register_devlms(app)
    app.register_blueprint(student_bp)
    app.register_blueprint(instructor_bp)
    app.register_blueprint(workbench_bp)
    for phase in all_phases():
        app.register_blueprint(phase.adapter.blueprint)
