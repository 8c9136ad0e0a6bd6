"""Deep linking: the activity picker's choices, their validation, and the signed LtiDeepLinkingResponse."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from grader.phases import PHASES, get_phase
from lti_app.lti.launch_store import DeepLinkSession
from lti_app.lti.platforms import find_platform, to_registration

log = logging.getLogger("lti_app.lti")

DIFFICULTIES = ("easy", "medium", "hard")
try:  # the sandbox's own list, so the picker never offers a language it cannot run
    from grader.sandbox.types import LANGUAGES
except ImportError:  # pragma: no cover - the sandbox package is being written alongside
    LANGUAGES = ("python", "javascript")
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


def available_phases() -> list[Any]:
    return [p for p in PHASES if p.available]


def scenarios_for(phase_id: str) -> list[ScenarioChoice]:
    """Public scenario metadata from grader.scenarios when that module exists; none otherwise."""
    try:
        from grader.scenarios import list_scenarios  # type: ignore[import-not-found]
    except ImportError:
        return []
    try:
        items = list_scenarios(phase_id)
    except Exception:  # a broken catalogue must not break the picker
        log.exception("list_scenarios(%r) failed", phase_id)
        return []
    choices = []
    for item in items or ():
        ident = item.get("id") if isinstance(item, dict) else getattr(item, "id", None)
        title = item.get("title") if isinstance(item, dict) else getattr(item, "title", None)
        if ident:
            choices.append(ScenarioChoice(id=str(ident), title=str(title or ident)))
    return choices


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
    phase = get_phase(form.get("phase", ""))
    if phase is None or not phase.available:
        errors.append("choose one of the available phases")
    scenario = (form.get("scenario") or "").strip()
    if phase is not None and scenario:
        known = {s.id for s in scenarios_for(phase.id)}
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
