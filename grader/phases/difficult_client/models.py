"""Typed, immutable views of a Difficult Client truth file (built by ``schema.py`` after validation)."""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.phases.difficult_client.text import content_stems
from grader.phases.difficult_client.triggers import TriggerPhrase, compile_triggers
from grader.scenarios import ScenarioMeta


@dataclass(frozen=True)
class Persona:
    name: str
    role: str
    personality: str
    speaking_style: str
    greeting: str
    # Optional persona phrases that vary the offline Actor's replies.
    openers: tuple[str, ...] = ()
    deflections: tuple[str, ...] = ()
    rude_reactions: tuple[str, ...] = ()
    confused_reactions: tuple[str, ...] = ()
    # In-persona "I don't know / don't care" lines for a question outside the scenario's world.
    unknowns: tuple[str, ...] = ()


WORLD_KEYS = ("business", "day", "people", "last_time", "success", "dont_care")
NOTHING, HINT, REVEAL = 0, 1, 2  # how much of a constraint the client has revealed
DOMAIN_SPREAD = 3  # a stem in the texts of this many constraints is the scenario's domain, not one topic


@dataclass(frozen=True)
class WorldTopic:
    """A scenario-specific part of the client's world beyond the fixed keys: what asks about it, the answer."""

    asks: tuple[str, ...]
    answer: str
    leads: str | None = None

    def __post_init__(self) -> None:  # matched like triggers; stems computed once, when the scenario is loaded
        object.__setattr__(self, "_asks", compile_triggers(self.asks))

    @property
    def compiled_asks(self) -> tuple[TriggerPhrase, ...]:
        return self._asks  # type: ignore[attr-defined,no-any-return]


@dataclass(frozen=True)
class World:
    """The client's world beyond the constraints, each answer whole sentences in the persona's voice: the
    business, a typical day, the people, what went wrong last time, what success looks like, what they do not
    care about. ``leads`` maps a key to the constraint whose partial hint that answer may carry when the
    Director allows. None of it states a key fact (checked at load)."""

    business: str
    day: str
    people: str
    last_time: str
    success: str
    dont_care: str
    leads: dict[str, str] = field(default_factory=dict)
    extra: tuple[WorldTopic, ...] = ()

    def answer(self, key: str) -> str:
        """The answer for a fixed key or a scenario topic (``extra:<n>``)."""
        if key.startswith("extra:"):
            return self.extra[int(key.split(":", 1)[1])].answer
        return str(getattr(self, key))

    def lead(self, key: str) -> str | None:
        """The constraint whose partial hint the answer for ``key`` may carry."""
        if key.startswith("extra:"):
            return self.extra[int(key.split(":", 1)[1])].leads
        return self.leads.get(key)

    def topic_keys(self) -> list[str]:
        """Every key: the scenario's own topics first, then the fixed ones."""
        return [f"extra:{n}" for n in range(len(self.extra))] + list(WORLD_KEYS)

    def texts(self) -> list[str]:
        return [self.answer(k) for k in WORLD_KEYS] + [t.answer for t in self.extra]


@dataclass(frozen=True)
class ConstraintChange:
    """A requirement the client changes mid-conversation; the student has to notice and re-confirm."""

    after_turn: int
    description: str
    announcement: str
    notice_triggers: tuple[str, ...]
    partial_hint: str
    full_reveal: str
    key_facts: tuple[str, ...]
    acknowledge: str = ""  # whole sentence(s) for a question about this changed version once it is known

    def __post_init__(self) -> None:  # stems computed once, when the scenario is loaded, not on every turn
        object.__setattr__(self, "_notice", compile_triggers(self.notice_triggers))

    @property
    def compiled_notice_triggers(self) -> tuple[TriggerPhrase, ...]:
        return self._notice  # type: ignore[attr-defined,no-any-return]


@dataclass(frozen=True)
class Constraint:
    id: str
    topic: str  # a neutral label ("budget") used in instructor views and feedback, never shown mid-session
    description: str
    triggers: tuple[str, ...]
    partial_hint: str
    full_reveal: str
    weight: float
    key_facts: tuple[str, ...]  # facts that only the full reveal may state; used to catch leaks
    change: ConstraintChange | None = None
    # Whole sentence(s) for a question about this topic once it is revealed: a short acknowledgement, not the
    # fact again verbatim. Empty: the engine's generic acknowledgement.
    acknowledge: str = ""

    def __post_init__(self) -> None:  # stems computed once, when the scenario is loaded, not on every turn
        object.__setattr__(self, "_triggers", compile_triggers(self.triggers))

    @property
    def compiled_triggers(self) -> tuple[TriggerPhrase, ...]:
        return self._triggers  # type: ignore[attr-defined,no-any-return]


@dataclass(frozen=True)
class Scenario:
    """A whole truth file. Hidden: never serialise it to a student."""

    schema_version: int
    meta: ScenarioMeta
    persona: Persona
    constraints: tuple[Constraint, ...]
    # The Code Crucible task (tasks/<id>/) this scenario's coding task is built from (coding.py).
    task: str
    unlock_fraction: float = 0.8
    world: World | None = None
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:  # computed once at load, for the Director (intents.py, director.py)
        world = [*self.world.texts(), *(ask for topic in self.world.extra for ask in topic.asks)] if self.world else []
        object.__setattr__(self, "_vocabulary", frozenset(content_stems(" ".join(world))))
        per_constraint = [set(content_stems(" ".join(self._constraint_texts(c)))) for c in self.constraints]
        object.__setattr__(self, "_domain", frozenset(s for s in set().union(*per_constraint)
                                                       if sum(s in words for words in per_constraint) >= DOMAIN_SPREAD))

    @staticmethod
    def _constraint_texts(c: Constraint) -> list[str]:
        texts = [*c.triggers, c.partial_hint, c.full_reveal]
        if c.change:
            texts += [*c.change.notice_triggers, c.change.partial_hint, c.change.full_reveal]
        return texts

    @property
    def vocabulary(self) -> frozenset[str]:
        """Stems of every word the scenario's world (its answers and its topics' asks) uses."""
        return self._vocabulary  # type: ignore[attr-defined,no-any-return]

    @property
    def domain_stems(self) -> frozenset[str]:
        """Stems the texts of several constraints share ("volunteers" at a food pantry): a question that names
        only these says little about which constraint it is about."""
        return self._domain  # type: ignore[attr-defined,no-any-return]

    @property
    def id(self) -> str:
        return self.meta.id

    def constraint(self, constraint_id: str) -> Constraint:
        for c in self.constraints:
            if c.id == constraint_id:
                return c
        raise KeyError(constraint_id)

    @property
    def total_weight(self) -> float:
        return sum(c.weight for c in self.constraints)

    def secret_strings(self) -> list[str]:
        """Every constraint text that must never reach a student unless revealed (for leak-scanning tests):
        descriptions (never shown at all), full reveals and key facts, including changed versions."""
        out: list[str] = []
        for c in self.constraints:
            out += [c.description, c.full_reveal, *c.key_facts]
            if c.change:
                out += [c.change.description, c.change.full_reveal, *c.change.key_facts]
        return out
