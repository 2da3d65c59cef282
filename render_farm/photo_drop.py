"""Photos handed to farm workers without touching a disk: each encrypted (AES-256-GCM, a fresh
key per photo) and left in the broker's Redis for at most ``DROP_TTL_S``. The key travels with
the task in the job store and the ciphertext sits in Redis, so neither alone is the photo, and
once the sender has its answer (``remove``), or the time is up, the ciphertext is gone. A task
retried on another worker reads the same drop again (``take`` leaves it).
"""
from __future__ import annotations

import os
import uuid

from neural.errors import InputError

DROP_TTL_S = 600  # longer than any fit queue should be; a photo not fitted by then is asked again
_PREFIX = "tryon:photo:"
_NONCE_BYTES = 12


def drop(broker: str, photo: bytes) -> dict:
    """Leave ``photo`` (a file's bytes) encrypted in the broker's Redis; returns the reference
    a task carries: ``{"drop": name, "key": hex}``."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key, nonce = AESGCM.generate_key(bit_length=256), os.urandom(_NONCE_BYTES)
    name = _PREFIX + uuid.uuid4().hex
    _redis(broker).set(name, nonce + AESGCM(key).encrypt(nonce, photo, None), ex=DROP_TTL_S)
    return {"drop": name, "key": key.hex()}


def take(broker: str, reference: dict, what: str = "the photo") -> bytes:
    """The photo a reference names, decrypted in memory; a clear error when its time is up."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    sealed = _redis(broker).get(_name(reference))
    if sealed is None:
        raise InputError(f"{what} was not fitted within {DROP_TTL_S // 60} minutes of its upload "
                         "and is gone: upload it again")
    try:
        return AESGCM(bytes.fromhex(reference["key"])).decrypt(
            sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], None)
    except (InvalidTag, ValueError) as error:
        raise InputError(f"{what} could not be decrypted: upload it again") from error


def remove(broker: str, references: list[dict]) -> None:
    """Remove the drops of ``references`` now (their fit has ended)."""
    if references:
        _redis(broker).delete(*(_name(reference) for reference in references))


def _name(reference: dict) -> str:
    name = str(reference["drop"])
    if not name.startswith(_PREFIX):
        raise InputError(f"not a photo drop: {name!r}")
    return name


def _redis(broker: str):
    import redis

    return redis.Redis.from_url(broker)
