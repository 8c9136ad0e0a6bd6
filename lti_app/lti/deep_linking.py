"""Deep linking: the activity picker's choices, their validation, and the signed LtiDeepLinkingResponse."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from grader.phases import PhaseInfo
from grader.sandbox.types import LANGUAGES
from lti_app.lti.launch_store import DeepLinkSession
from lti_app.lti.platforms import find_platform, to_registration

log = logging.getLogger("lti_app.lti")

DIFFICULTIES = ("easy", "medium", "hard")
TIME_LIMIT_RANGE = (0, 480)  # minutes; 0 means no limit
ATTEMPTS_RANGE = (1, 20)
SCORE_MAXIMUM = 100
LINEITEM_TAG = "coderesidency"


@dataclass(frozen=True)
class ScenarioChoice:
    id: str
    title: str


@dataclass(frozen=True)
class ActivityChoice:
    phase: str
    scenario: str
    difficulty: str
    language: str
    time_limit: int
    max_attempts: int
    title: str

    def custom_params(self, activity_key: str) -> dict[str, str]:
        # Custom parameters come back as strings in every launch of the link; the lead's views read them.
        return {
            "phase": self.phase,
            "scenario": self.scenario,
            "difficulty": self.difficulty,
            "language": self.language,
            "time_limit": str(self.time_limit),
            "max_attempts": str(self.max_attempts),
            "activity_key": activity_key,
        }


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
    return [ScenarioChoice(id=m.id, title=m.title) for m in metas]


def _int_in(form: dict[str, str], name: str, bounds: tuple[int, int], errors: list[str]) -> int:
    raw = (form.get(name) or "0").strip()
    try:
        value = int(raw)
    except ValueError:
        errors.append(f"{name.replace('_', ' ')} must be a whole number")
        return 0
    if not bounds[0] <= value <= bounds[1]:
        errors.append(f"{name.replace('_', ' ')} must be between {bounds[0]} and {bounds[1]}")
    return value


def parse_choice(form: dict[str, str]) -> tuple[ActivityChoice | None, list[str]]:
    """Validate the picker form. Returns (choice, []) or (None, errors)."""
    errors: list[str] = []
    phase = _phase_info(form.get("phase", ""))
    if phase is None:
        errors.append("choose one of the available phases")
    scenario = (form.get("scenario") or "").strip()
    if phase is not None and scenario:
        known = {s.id for s in scenarios_for(phase)}
        if scenario not in known:
            errors.append("choose a scenario from the list")
    difficulty = form.get("difficulty", "")
    if difficulty not in DIFFICULTIES:
        errors.append(f"difficulty must be one of {', '.join(DIFFICULTIES)}")
    language = form.get("language", "")
    if language not in LANGUAGES:
        errors.append(f"language must be one of {', '.join(LANGUAGES)}")
    time_limit = _int_in(form, "time_limit", TIME_LIMIT_RANGE, errors)
    max_attempts = _int_in(form, "max_attempts", ATTEMPTS_RANGE, errors)
    title = (form.get("title") or "").strip()[:200]
    if errors or phase is None:
        return None, errors
    return (
        ActivityChoice(
            phase=phase.id,
            scenario=scenario,
            difficulty=difficulty,
            language=language,
            time_limit=time_limit,
            max_attempts=max_attempts,
            title=title or phase.title,
        ),
        [],
    )


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
