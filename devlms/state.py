"""The dev LMS's own state: its key pair, users, course, links, line items and every score it received.

Kept in memory behind a lock (optionally mirrored to a JSON file so a dev server restart keeps links and
grades). It plays an LMS, so none of this belongs in the tool's database.
"""

from __future__ import annotations

import functools
import json
import threading
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

INSTRUCTOR_ROLES = [
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty",
]
LEARNER_ROLES = [
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student",
]


@dataclass(frozen=True)
class FakeUser:
    id: str
    name: str
    email: str
    instructor: bool

    @property
    def roles(self) -> list[str]:
        return INSTRUCTOR_ROLES if self.instructor else LEARNER_ROLES


def fake_users(shape: str) -> list[FakeUser]:
    # Canvas subs are opaque UUID-like strings, Moodle's are numeric user ids.
    ids = (
        ["2f9c1b8e-inst", "a1d4-stud-0001", "b2e5-stud-0002", "c3f6-stud-0003"]
        if shape == "canvas"
        else ["2", "3", "4", "5"]
    )
    names = [("Irene Instructor", True), ("Ada Student", False), ("Brian Student", False), ("Chen Student", False)]
    return [
        FakeUser(id=i, name=n, email=f"{n.split()[0].lower()}@example.test", instructor=inst)
        for i, (n, inst) in zip(ids, names, strict=True)
    ]


@dataclass
class Link:
    id: str
    title: str
    url: str
    custom: dict[str, str]
    lineitem_id: str | None


@dataclass
class LineItemRow:
    id: str
    label: str
    score_maximum: float
    resource_id: str = ""
    tag: str = ""
    resource_link_id: str = ""


@dataclass
class ReceivedScore:
    lineitem_id: str
    user_id: str
    payload: dict[str, Any]
    status: int  # what the platform answered


@dataclass
class DevState:
    private_pem: str
    previous_pems: list[str] = field(default_factory=list)
    links: dict[str, Link] = field(default_factory=dict)
    lineitems: dict[str, LineItemRow] = field(default_factory=dict)
    scores: list[ReceivedScore] = field(default_factory=list)
    registration_tokens: list[str] = field(default_factory=list)
    dynamic_registrations: list[dict[str, Any]] = field(default_factory=list)
    deep_link_responses: list[dict[str, Any]] = field(default_factory=list)
    # Moodle shape: launch ids of login requests not yet used, as Moodle keeps them in $SESSION (single use).
    message_hints: dict[str, dict[str, str]] = field(default_factory=dict)
    tokens_issued: int = 0
    tokens_refused: int = 0  # service calls (AGS, NRPS) answered 401 for a bad or foreign access token
    jwks_served: int = 0


def new_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@functools.lru_cache(maxsize=32)  # loading an RSA private key costs tens of ms; keys rarely change
def public_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


class StateStore:
    """Thread-safe access to DevState, mirrored to ``path`` when one is given."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.lock = threading.RLock()
        self._mtime = 0.0
        self.state = self._load() if path and path.exists() else DevState(private_pem=new_private_pem())
        self.save()

    def refresh(self) -> None:
        """Pick up changes another server process wrote (several gunicorn workers share the file)."""
        if self.path is None or not self.path.exists():
            return
        with self.lock:
            if self.path.stat().st_mtime > self._mtime:
                self.state = self._load()

    def _load(self) -> DevState:
        assert self.path is not None
        self._mtime = self.path.stat().st_mtime
        raw = json.loads(self.path.read_text())
        return DevState(
            private_pem=raw["private_pem"],
            previous_pems=raw.get("previous_pems", []),
            links={k: Link(**v) for k, v in raw.get("links", {}).items()},
            lineitems={k: LineItemRow(**v) for k, v in raw.get("lineitems", {}).items()},
            scores=[ReceivedScore(**s) for s in raw.get("scores", [])],
            registration_tokens=raw.get("registration_tokens", []),
            dynamic_registrations=raw.get("dynamic_registrations", []),
            deep_link_responses=raw.get("deep_link_responses", []),
            message_hints=raw.get("message_hints", {}),
            tokens_issued=raw.get("tokens_issued", 0),
            tokens_refused=raw.get("tokens_refused", 0),
            jwks_served=raw.get("jwks_served", 0),
        )

    def save(self) -> None:
        if self.path is None:
            return
        with self.lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(asdict(self.state), indent=1, default=str))
            tmp.chmod(0o600)
            tmp.replace(self.path)
            self._mtime = self.path.stat().st_mtime

    def add_lineitem(self, label: str, score_maximum: float, **extra: str) -> LineItemRow:
        with self.lock:
            row = LineItemRow(id=uuid.uuid4().hex[:12], label=label, score_maximum=score_maximum, **extra)
            self.state.lineitems[row.id] = row
            self.save()
            return row

    def add_link(self, title: str, url: str, custom: dict[str, str], lineitem_id: str | None) -> Link:
        with self.lock:
            link = Link(id=f"rl-{uuid.uuid4().hex[:12]}", title=title, url=url, custom=custom, lineitem_id=lineitem_id)
            self.state.links[link.id] = link
            if lineitem_id:
                self.state.lineitems[lineitem_id].resource_link_id = link.id
            self.save()
            return link

    def rotate_key(self) -> None:
        with self.lock:
            self.state.previous_pems.append(self.state.private_pem)
            self.state.private_pem = new_private_pem()
            self.save()
