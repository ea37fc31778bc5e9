"""Who may cancel a job: its creator's token, or the admin token (JOBS.md, "Ownership").

A job's token is shown once, in the ``201`` of ``POST /jobs``; the broker keeps only
its SHA-256 digest. A token holds 256 random bits, so a plain digest is enough: there
is nothing to guess, and a leaked store gives no usable token. Comparisons take
constant time (``hmac.compare_digest``), whatever the presented value.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32
"""256 random bits (JOBS.md asks for at least 128)."""


def new_token() -> str:
    """A fresh job token: 43 URL-safe characters."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(token: str) -> str:
    """What the broker stores for ``token``: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def matches(presented: str, stored_digest: str) -> bool:
    """True when ``presented`` is the token whose digest is ``stored_digest`` (constant time)."""
    return bool(stored_digest) and hmac.compare_digest(digest(presented), stored_digest)


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; None when there is none.

    The scheme is case-insensitive (RFC 9110); anything else counts as no token.
    """
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token
