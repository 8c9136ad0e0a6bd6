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
    HINTS_RANGE,
    MAX_AFTER_CHARS,
    OPTION_LABELS,
    OPTION_NAMES,
    SEEDINGS,
    TIME_LIMIT_RANGE,
    InvalidOption,
    clean_option,
)
from grader.sandbox.types import LANGUAGES
from grader.workbench.grade_policy import DEFAULT_ATTEMPT_POLICY, DEFAULT_SUBMISSION_POLICY
from lti_app.lti.launch_store import DeepLinkSession
from lti_app.lti.platforms import find_platform, to_registration

log = logging.getLogger("lti_app.lti")

SCORE_MAXIMUM = 100
LINEITEM_TAG = "coderesidency"
# What an honoured option is when the form leaves it blank and the phase has no default of its own
# (PhaseInfo.defaults; scenario, difficulty, language: the phase decides at launch).
OPTION_DEFAULTS = {"time_limit": "0", "max_attempts": "1", "grade_policy": DEFAULT_ATTEMPT_POLICY,
                   "submission_policy": DEFAULT_SUBMISSION_POLICY, "max_submits": str(DEFAULT_MAX_SUBMITS),
                   "seeding": SEEDINGS[0]}


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
class FollowChoice:
    """An activity of the course another one may follow (the "after" option): its link id and title."""

    link_id: str
    title: str


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


def defaults_for(phase: PhaseInfo | None) -> dict[str, str]:
    """What each option is when the form leaves it blank: the phase's own default, else the shared one."""
    return {**OPTION_DEFAULTS, **(dict(phase.defaults) if phase is not None else {})}


def offers_pool(phase: PhaseInfo | None) -> bool:
    """Whether the phase's scenarios are chosen as a pool (a multi-select, stored comma-separated)."""
    from lti_app.phases import get_phase
    from lti_app.phases.registry import offers_pool as phase_offers_pool

    return phase is not None and phase_offers_pool(get_phase(phase.id))


POOL_WORDS = {"legend": "Programs to draw from", "unknown": "choose programs from the list",
              "help": "Each attempt gets one of the ticked programs (none ticked: any program available in the chosen "
                      "language). Each shows its difficulty and the languages it is available in."}


def pool_words(phase: PhaseInfo | None) -> dict[str, str]:
    """How the picker names a pool: the phase's own words (its adapter's ``pool_words``), else programs."""
    from lti_app.phases import get_phase

    found = get_phase(phase.id) if phase is not None else None
    return {**POOL_WORDS, **(getattr(found.adapter, "pool_words", None) or {})} if found else dict(POOL_WORDS)


def offers_languages(phase: PhaseInfo | None) -> bool:
    """Whether the phase takes several languages (ticked boxes, stored comma-separated; the student picks)."""
    from lti_app.phases import get_phase
    from lti_app.phases.registry import offers_languages as phase_offers_languages

    return phase is not None and phase_offers_languages(get_phase(phase.id))


FOLLOWED_PHASE = "difficult_client"  # what an "after" option names: a client interview whose findings carry over


def after_choices(course: tuple[str, str] | None, link: str = "") -> list[FollowChoice]:
    """The course's Difficult Client activities the tool knows (launched at least once), newest first; never the
    link being set up. ``course`` is (issuer, context id); unknown: none."""
    if not course or not course[1]:
        return []
    from sqlalchemy import select

    from lti_app.extensions import db
    from lti_app.models import Activity, Course

    rows = db.session.execute(
        select(Activity.resource_link_id, Activity.title)
        .join(Course, Course.id == Activity.course_id)
        .where(Course.issuer == course[0], Course.context_id == course[1], Activity.phase == FOLLOWED_PHASE,
               Activity.resource_link_id != link)
        .order_by(Activity.id.desc())
    ).all()
    return [FollowChoice(r.resource_link_id, r.title or r.resource_link_id) for r in rows
            if len(r.resource_link_id) <= MAX_AFTER_CHARS]


def scenarios_for(phase: PhaseInfo) -> list[ScenarioChoice]:
    """The phase's scenarios (public metadata only). In a pool, one served in no language is not offered."""
    try:
        metas = phase.list_scenarios()
    except Exception:  # a broken truth file must not break the picker (CI validates every shipped one)
        log.exception("listing the scenarios of %r failed", phase.id)
        return []
    # A pool of a phase played in a language offers what is served in one (a pool without languages, all of it).
    by_language = offers_pool(phase) and "language" in phase.options
    return [ScenarioChoice(id=m.id, title=m.title, difficulty=m.difficulty, languages=tuple(m.languages))
            for m in metas if not by_language or m.languages]


def languages_for(phase: PhaseInfo | None) -> tuple[str, ...]:
    """The languages the picker offers: a pool phase's are those its scenarios are served in."""
    if not offers_pool(phase):
        return LANGUAGES
    assert phase is not None
    served = {language for s in scenarios_for(phase) for language in s.languages}
    return tuple(language for language in LANGUAGES if language in served)


def chosen_phase(form: dict[str, str]) -> PhaseInfo | None:
    """The phase the form names, if it is registered."""
    return _phase_info((form.get("phase") or "").strip())


def parse_choice(form: dict[str, str], course: tuple[str, str] | None = None,
                 link: str = "") -> tuple[ActivityChoice | None, list[str]]:
    """Validate the picker form. Returns (choice, []) or (None, errors).

    Only the options the chosen phase honours are accepted: one it does not use is refused with a sentence
    saying so (the picker never offers it). With no known phase, every option's value is still checked, so
    the instructor sees every problem at once. ``course`` (issuer, context id): an "after" option must name
    one of that course's activities it may follow (``link``, the link being set up, is not one).
    """
    errors: list[str] = []
    phase = chosen_phase(form)
    if phase is None:
        errors.append("choose one of the available phases")
    honoured = phase.options if phase is not None else frozenset(OPTION_NAMES)
    defaults = defaults_for(phase)
    options: dict[str, str] = {}
    for name in OPTION_NAMES:
        raw = (form.get(name) or "").strip()
        if name not in honoured:
            if raw and phase is not None:
                errors.append(f"{phase.title} does not use the option “{OPTION_LABELS[name]}”; "
                              f"it is not offered for this phase")
            continue
        try:
            value = clean_option(name, raw) or defaults.get(name, "")
        except InvalidOption as exc:
            errors.append(str(exc))
            continue
        if value:
            options[name] = value
    if phase is not None:
        if "," in options.get("language", "") and not offers_languages(phase):
            errors.append(f"{phase.title} is played in one language; choose one")
        (_check_pool if offers_pool(phase) else _check_scenario)(phase, options, errors)
        if options.get("after") and options["after"] not in {c.link_id for c in after_choices(course, link)}:
            errors.append("choose the activity this one follows from the list (an interview of this course)")
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


def _check_pool(phase: PhaseInfo, options: dict[str, str], errors: list[str]) -> None:
    """A pool: every id one of the phase's own (stored once each, in the catalogue's order), each served in the
    chosen language; none chosen means every scenario served in that language, so there must be one."""
    scenarios = scenarios_for(phase)
    wanted = {part.strip() for part in options.pop("scenario", "").split(",") if part.strip()}
    known = {s.id for s in scenarios}
    if wanted - known:
        errors.append(pool_words(phase)["unknown"])
        return
    chosen = [s for s in scenarios if s.id in wanted]
    language = options.get("language")
    if language:
        wanted = language.split(",")
        missing = [s.title for s in chosen if not any(x in s.languages for x in wanted)]
        shown = " or ".join(wanted)
        if missing:
            errors.append(f"not available in {shown}: {', '.join(missing)}; choose another language or "
                          f"other programs")
        elif not chosen and scenarios and not any(x in s.languages for s in scenarios for x in wanted):
            errors.append(f"{phase.title} has nothing to offer in {shown} yet; choose another language")
    if chosen:
        options["scenario"] = ",".join(s.id for s in chosen)


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
