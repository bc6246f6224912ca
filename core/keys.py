"""Secret keys that are shown once and stored only as a SHA-256 hash.

A key has 256 random bits, so a plain SHA-256 (no salt, no stretching) is
enough: there is nothing to guess from the hash, and a lookup by hash is one
indexed query. The first characters are kept as a ``prefix`` so staff can tell
keys apart in the admin.
"""

import hashlib
import hmac
import secrets

PREFIX_LENGTH = 8


def key_new() -> str:
    """Return a new random key (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    """Return the hex SHA-256 of ``key``, the only form in which it is stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def key_matches(key: str, stored_hash: str) -> bool:
    """Return whether ``key`` hashes to ``stored_hash`` (constant time)."""
    return hmac.compare_digest(key_hash(key), stored_hash)


def key_prefix(key: str) -> str:
    return key[:PREFIX_LENGTH]
