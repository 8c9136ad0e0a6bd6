"""Deep linking: the activity picker's choices, their validation, and the signed LtiDeepLinkingResponse."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from grader.phases import PhaseInfo
from grader.phases.options import (  # noqa: F401  (DIFFICULTIES and the ranges are part of this module's API)
    ATTEMPTS_RANGE,
    DEFAULT_MAX_SUBMITS,
    DIFFICULTIES,
    OPTION_LABELS,
    OPTION_NAMES,
    TIME_LIMIT_RANGE,
    InvalidOption,
    clean_option,
)
from grader.sandbox.types import LANGUAGES  # noqa: F401  (the picker lists them)
from grader.workbench.grade_policy import DEFAULT_ATTEMPT_POLICY, DEFAULT_SUBMISSION_POLICY
from lti_app.lti.launch_store import DeepLinkSession
from lti_app.lti.platforms import find_platform, to_registration

log = logging.getLogger("lti_app.lti")

SCORE_MAXIMUM = 100
LINEITEM_TAG = "coderesidency"
# What an honoured option is when the form leaves it blank (scenario, difficulty, language: the phase's default).
OPTION_DEFAULTS = {"time_limit": "0", "max_attempts": "1", "grade_policy": DEFAULT_ATTEMPT_POLICY,
                   "submission_policy": DEFAULT_SUBMISSION_POLICY, "max_submits": str(DEFAULT_MAX_SUBMITS)}


@dataclass(frozen=True)
class ScenarioChoice:
    id: str
    title: str
    difficulty: str = ""
    languages: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The title with the scenario's own difficulty and task language(s): "The Bakery (easy · python)"."""
        details = " · ".join(x for x in (self.difficulty, ", ".join(self.languages)) if x)
        return f"{self.title} ({details})" if details else self.title


@dataclass(frozen=True)
class ActivityChoice:
    phase: str
    title: str
    # Only options the phase honours, checked and as strings; an option left to the phase's default is absent.
    options: dict[str, str]

    def custom_params(self, activity_key: str) -> dict[str, str]:
        # Custom parameters come back as strings in every launch of the link; lti_app.launches stores them.
        return {"phase": self.phase, **self.options, "activity_key": activity_key}


def available_phases() -> list[PhaseInfo]:
    """Every phase of the registry (only built phases are registered)."""
    from lti_app.phases import all_phases

    return [p.info for p in all_phases()]


def _phase_info(phase_id: str) -> PhaseInfo | None:
    from lti_app.phases import get_phase

    phase = get_phase(phase_id)
    return phase.info if phase else None


def scenarios_for(phase: PhaseInfo) -> list[ScenarioChoice]:
    """The phase's scenarios (public metadata only)."""
    try:
        metas = phase.list_scenarios()
    except Exception:  # a broken truth file must not break the picker (CI validates every shipped one)
        log.exception("listing the scenarios of %r failed", phase.id)
        return []
    return [ScenarioChoice(id=m.id, title=m.title, difficulty=m.difficulty, languages=tuple(m.languages))
            for m in metas]


def chosen_phase(form: dict[str, str]) -> PhaseInfo | None:
    """The phase the form names, if it is registered."""
    return _phase_info((form.get("phase") or "").strip())


def parse_choice(form: dict[str, str]) -> tuple[ActivityChoice | None, list[str]]:
    """Validate the picker form. Returns (choice, []) or (None, errors).

    Only the options the chosen phase honours are accepted: one it does not use is refused with a sentence
    saying so (the picker never offers it). With no known phase, every option's value is still checked, so
    the instructor sees every problem at once.
    """
    errors: list[str] = []
    phase = chosen_phase(form)
    if phase is None:
        errors.append("choose one of the available phases")
    honoured = phase.options if phase is not None else frozenset(OPTION_NAMES)
    options: dict[str, str] = {}
    for name in OPTION_NAMES:
        raw = (form.get(name) or "").strip()
        if name not in honoured:
            if raw and phase is not None:
                errors.append(f"{phase.title} does not use the option “{OPTION_LABELS[name]}”; "
                              f"it is not offered for this phase")
            continue
        try:
            value = clean_option(name, raw) or OPTION_DEFAULTS.get(name, "")
        except InvalidOption as exc:
            errors.append(str(exc))
            continue
        if value:
            options[name] = value
    if phase is not None:
        _check_scenario(phase, options, errors)
    title = (form.get("title") or "").strip()[:200]
    if errors or phase is None:
        return None, errors
    return ActivityChoice(phase=phase.id, title=title or phase.title, options=options), []


def _check_scenario(phase: PhaseInfo, options: dict[str, str], errors: list[str]) -> None:
    """The scenario must be the phase's own; a named scenario decides the difficulty (and language) itself."""
    scenarios = {s.id: s for s in scenarios_for(phase)}
    scenario = scenarios.get(options.get("scenario", ""))
    if "scenario" in options and scenario is None:
        errors.append("choose a scenario from the list")
        return
    if scenario is not None:
        if "difficulty" in phase.options and scenario.difficulty:
            options["difficulty"] = scenario.difficulty  # what the activity will play, whatever was chosen
        language = options.get("language")
        if language and scenario.languages and language not in scenario.languages:
            errors.append(f"{scenario.title} is written in {', '.join(scenario.languages)}; choose that language "
                          f"or another scenario")
    elif "difficulty" in options and scenarios and not any(s.difficulty == options["difficulty"]
                                                          for s in scenarios.values()):
        errors.append(f"{phase.title} has no {options['difficulty']} scenario; choose another difficulty")


def build_response_jwt(session: DeepLinkSession, choice: ActivityChoice, launch_url: str) -> tuple[str, str]:
    """Sign the LtiDeepLinkingResponse for one ltiResourceLink. Returns (jwt, activity_key)."""
    platform = find_platform(session.issuer, session.client_id)
    if platform is None:
        raise LookupError("the platform of this deep-linking launch is no longer registered")
    activity_key = str(uuid.uuid4())
    lineitem = (
        LineItem()
        .set_score_maximum(SCORE_MAXIMUM)
        .set_label(choice.title)
        .set_resource_id(activity_key)
        .set_tag(LINEITEM_TAG)
    )
    resource = (
        DeepLinkResource()
        .set_url(launch_url)
        .set_title(choice.title)
        .set_lineitem(lineitem)
        .set_custom_params(choice.custom_params(activity_key))
    )
    deep_link = DeepLink(to_registration(platform), session.deployment_id, session.settings)  # type: ignore[arg-type]
    message = deep_link.get_message_jwt([resource])
    if message.get("https://purl.imsglobal.org/spec/lti-dl/claim/data") is None:
        # "data" must be echoed only when the platform sent it; a null claim upsets some platforms.
        message.pop("https://purl.imsglobal.org/spec/lti-dl/claim/data")
    return deep_link.encode_jwt(message), activity_key
