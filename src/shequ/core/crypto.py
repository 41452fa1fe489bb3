"""Encryption at rest (AES-256-GCM with key rotation) and keyed blind indexes for exact lookup."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_PREFIX = "v1"


@functools.cache
def _keys(spec: str) -> tuple[str, dict[str, AESGCM]]:
    keys: dict[str, AESGCM] = {}
    current = ""
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        kid, _, b64 = part.partition(":")
        raw = base64.b64decode(b64)
        if len(raw) != 32 or not kid.isalnum():
            raise ImproperlyConfigured("Each SHEQU_ENCRYPTION_KEYS entry must be id:base64(32 bytes)")
        keys[kid] = AESGCM(raw)
        current = current or kid
    if not current:
        raise ImproperlyConfigured("SHEQU_ENCRYPTION_KEYS is empty")
    return current, keys


def encrypt(plaintext: str, *, context: str) -> str:
    """`context` (e.g. "registry.resident.id_number") is bound as associated data: a value
    copied into another column does not decrypt."""
    kid, keys = _keys(settings.ENCRYPTION_KEYS)
    nonce = os.urandom(12)
    sealed = keys[kid].encrypt(nonce, plaintext.encode(), context.encode())
    return f"{_PREFIX}:{kid}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str, *, context: str) -> str:
    _current, keys = _keys(settings.ENCRYPTION_KEYS)
    prefix, kid, b64 = token.split(":", 2)
    if prefix != _PREFIX or kid not in keys:
        raise ImproperlyConfigured(f"No key {kid!r} to decrypt this value; add it to SHEQU_ENCRYPTION_KEYS")
    raw = base64.b64decode(b64)
    return keys[kid].decrypt(raw[:12], raw[12:], context.encode()).decode()


def key_id_of(token: str) -> str:
    return token.split(":", 2)[1]


def blind_index(value: str, *, context: str) -> str:
    """HMAC-SHA256 of the normalised value: equal values match, the value itself is not stored."""
    key = settings.BLIND_INDEX_KEY.encode()
    return hmac.new(key, f"{context}\x00{value}".encode(), hashlib.sha256).hexdigest()
