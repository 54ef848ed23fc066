"""An encrypted text field built on Fernet (MultiFernet for key rotation).

Keys come from settings.FIELD_ENCRYPTION_KEYS: the first key encrypts, every key decrypts. The
database column holds only Fernet tokens. A value that none of the configured keys can decrypt
is loaded as an `UndecryptableSecret`, a falsy stand-in, so callers treat it as "no usable
secret" instead of crashing or using ciphertext as a credential.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class UndecryptableSecret:
    """A stored secret that the configured keys cannot decrypt.

    Falsy, so code that asks "is there a usable secret?" gets no. It keeps the original token so
    that saving the row for another reason writes the ciphertext back unchanged.
    """

    __slots__ = ("token",)

    def __init__(self, token: str):
        self.token = token

    def __bool__(self):
        return False

    def __eq__(self, other):
        return isinstance(other, UndecryptableSecret) and other.token == self.token

    def __hash__(self):
        return hash(self.token)

    def __repr__(self):
        return "<undecryptable secret>"

    __str__ = __repr__


@lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is empty: cannot encrypt or decrypt secrets."
        )
    try:
        return MultiFernet([Fernet(key.strip().encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be comma-separated Fernet keys (32 url-safe base64 bytes)."
        ) from exc


def fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str):
    """Return the plaintext, or an UndecryptableSecret when no configured key fits."""
    try:
        return fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ImproperlyConfigured):
        return UndecryptableSecret(token)


def rotate(token: str) -> str:
    """Re-encrypt a token with the first key (raises InvalidToken if no key decrypts it)."""
    return fernet().rotate(token.encode()).decode()


# Every Fernet token starts with its version byte 0x80, base64url-encoded.
FERNET_TOKEN_PREFIX = "gAAAAA"  # noqa: S105 (a format marker, not a secret)


def keys_problem(keys) -> str | None:
    """Why FIELD_ENCRYPTION_KEYS cannot be used, or None."""
    try:
        _fernet_for(tuple(keys))
    except ImproperlyConfigured as exc:
        return str(exc)
    return None


class EncryptedTextField(models.TextField):
    """Stores text as a Fernet token; reads back plaintext (or an UndecryptableSecret).

    Serialised (dumpdata, fixtures) as a token, never as plaintext: backups carry no live
    credential. Loading a token back (loaddata) gives the plaintext again.
    """

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        if isinstance(value, UndecryptableSecret):
            return value.token
        if value in (None, ""):
            return value
        return encrypt(value)

    def to_python(self, value):
        """A serialised token (from a fixture) becomes its plaintext again; anything else, such as
        a plaintext secret being assigned, is itself."""
        if isinstance(value, str) and value.startswith(FERNET_TOKEN_PREFIX):
            return decrypt(value)
        return super().to_python(value)

    def get_prep_value(self, value):
        if isinstance(value, UndecryptableSecret):
            return value.token
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)
