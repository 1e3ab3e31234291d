"""API keys: random 256-bit secrets, stored only as SHA-256 digests.

A key is a bearer token; because it is long and random, one fast hash is the right storage
(a slow password hash would only slow down every request, not an attacker).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from stockshift.core.errors import ParameterError
from stockshift.db.engine import begin_write
from stockshift.db.models import ApiKey

Role = Literal["viewer", "planner", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "planner", "admin")
KEY_PREFIX = "ssk_"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def role_allows(have: str, need: Role) -> bool:
    """viewer < planner < admin: each role may do what the ones below it may."""
    return have in ROLES and ROLES.index(have) >= ROLES.index(need)


def create_key(session: Session, *, role: str, name: str = "") -> tuple[ApiKey, str]:
    """Store a new key and return it with its secret, which is never retrievable again."""
    if role not in ROLES:
        raise ParameterError.about("role", role, f"use one of {', '.join(ROLES)}")
    begin_write(session)
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        name=name or f"{role} key",
        role=role,
        key_hash=digest(secret),
        prefix=secret[:10],
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.commit()
    return row, secret


def authenticate(session: Session, *, secret: str) -> ApiKey | None:
    """The live key whose secret this is, or None."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == digest(secret)))
    if row is None or row.revoked_at is not None:
        return None
    return row


def live_key(session: Session, *, key_id: int) -> ApiKey | None:
    """The key with this id if it exists and is not revoked."""
    row = session.get(ApiKey, key_id)
    if row is None or row.revoked_at is not None:
        return None
    return row
