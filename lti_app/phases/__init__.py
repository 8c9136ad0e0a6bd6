"""The phases' web halves: ``lti_app/phases/<id>/`` each hold an adapter, views and their own ``templates/``
and ``static/`` (the Blueprint's folders). :mod:`lti_app.phases.registry` is the one list of phases."""

from lti_app.phases.registry import NewAttempt, Phase, PhaseAdapter, RunsCode, all_phases, get_phase

__all__ = ["NewAttempt", "Phase", "PhaseAdapter", "RunsCode", "all_phases", "get_phase"]
