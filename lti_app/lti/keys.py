"""The tool's signing keys: generated on first use, stored in the database, rotated without downtime.

Rotation: ``rotate_key()`` makes a new ``active`` key and demotes the old one to ``previous``; both stay in
the JWKS so platforms that cached the old kid keep verifying. ``retire_key(kid)`` stops publishing it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from sqlalchemy.exc import IntegrityError

from lti_app.extensions import db
from lti_app.models.lti import LtiToolKey, utcnow

ACTIVE, PREVIOUS, RETIRED = "active", "previous", "retired"
_create_lock = threading.Lock()


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_pem: str
    public_pem: str


def _new_key() -> LtiToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    jwk = JWK.from_pem(pem.encode())
    public = json.loads(jwk.export_public())
    kid = jwk.thumbprint()  # RFC 7638: stable, derived from the key itself
    public.update(kid=kid, alg="RS256", use="sig")
    return LtiToolKey(kid=kid, private_pem=pem, public_jwk=public, status=ACTIVE)


_public_pems: dict[str, str] = {}  # kid -> public PEM; loading an RSA private key costs tens of ms


def _to_signing_key(row: LtiToolKey) -> SigningKey:
    public_pem = _public_pems.get(row.kid)
    if public_pem is None:
        public_pem = JWK.from_json(json.dumps(row.public_jwk)).export_to_pem().decode()
        _public_pems[row.kid] = public_pem
    return SigningKey(kid=row.kid, private_pem=row.private_pem, public_pem=public_pem)


def signing_key() -> SigningKey:
    """The active key, creating it on first use (the private key lives in the database)."""
    row = db.session.scalar(db.select(LtiToolKey).filter_by(status=ACTIVE).order_by(LtiToolKey.id.desc()).limit(1))
    if row is None:
        with _create_lock:
            row = db.session.scalar(db.select(LtiToolKey).filter_by(status=ACTIVE).limit(1))
            if row is None:
                row = _new_key()
                db.session.add(row)
                try:
                    db.session.commit()
                except IntegrityError:  # another process won the race; use its key
                    db.session.rollback()
                    row = db.session.scalar(db.select(LtiToolKey).filter_by(status=ACTIVE).limit(1))
                    assert row is not None
    return _to_signing_key(row)


def public_jwks() -> dict:
    """JWKS of every key still published (active and previous)."""
    signing_key()  # make sure there is at least one
    rows = db.session.scalars(
        db.select(LtiToolKey).where(LtiToolKey.status.in_((ACTIVE, PREVIOUS))).order_by(LtiToolKey.id)
    ).all()
    return {"keys": [dict(r.public_jwk) for r in rows]}


def rotate_key() -> str:
    """Make a new active key; the old active one stays published as ``previous``. Returns the new kid."""
    for row in db.session.scalars(db.select(LtiToolKey).filter_by(status=ACTIVE)):
        row.status = PREVIOUS
    new = _new_key()
    db.session.add(new)
    db.session.commit()
    return new.kid


def retire_key(kid: str) -> None:
    """Stop publishing a previous key. The active key cannot be retired (rotate first)."""
    row = db.session.scalar(db.select(LtiToolKey).filter_by(kid=kid))
    if row is None:
        raise LookupError(f"no tool key with kid {kid!r}")
    if row.status == ACTIVE:
        raise ValueError("the active key cannot be retired; rotate first")
    row.status = RETIRED
    row.retired_at = utcnow()
    db.session.commit()


def list_keys() -> list[LtiToolKey]:
    return list(db.session.scalars(db.select(LtiToolKey).order_by(LtiToolKey.id)))
