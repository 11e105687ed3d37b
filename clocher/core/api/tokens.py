"""API key tokens: how they are made, hashed and recognised.

A key reads ``clk_1a2b3c4d_<43 characters>``: ``clk_1a2b3c4d`` is its public *prefix*, shown in
lists so a person can tell keys apart; the rest is 256 random bits. Only the SHA-256 of the whole
key is stored. Comparing hashes uses ``hmac.compare_digest`` (constant time).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

TOKEN_PREFIX = "clk_"  # noqa: S105 - a public marker, not a secret
PREFIX_LENGTH = len(TOKEN_PREFIX) + 8
TOKEN_PATTERN = re.compile(r"^(clk_[0-9a-f]{8})_([A-Za-z0-9_-]{43})$")


def generate_token() -> tuple[str, str]:
    """A new ``(prefix, token)`` pair."""
    prefix = TOKEN_PREFIX + secrets.token_hex(4)
    return prefix, f"{prefix}_{secrets.token_urlsafe(32)}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def prefix_of(token: str) -> str | None:
    """The prefix of a well-formed token, or None for anything else."""
    match = TOKEN_PATTERN.match(token)
    return match.group(1) if match else None


def token_matches(token: str, secret_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), secret_hash)
