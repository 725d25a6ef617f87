"""Encryption at rest for single model fields, key rotation, and keyed search tokens.

Keys never live in the database. ``KIM_FIELD_KEYS`` (newest first) encrypts fields with Fernet
(MultiFernet for rotation); ``KIM_SEARCH_KEY`` keys the HMAC search tokens. Production refuses to
start without them (``kim/settings.py``); elsewhere a key file is generated once under
``KIM_VAR_DIR`` (decisions D-039).

An encrypted column can only be written, read and tested for NULL: equality, ordering and
``LIKE`` on ciphertext are meaningless, so every lookup except ``isnull`` raises ``FieldError``.
Search goes through ``search_tokens`` and ``birth_date_token`` stored beside the row.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import hmac
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils.dateparse import parse_date

from kim.core.forms import PlausibleDateField
from kim.core.phonetics import cologne_phonetic, name_tokens

FIELD_KEY_FILE = "dev-field-keys"
SEARCH_KEY_FILE = "dev-search-key"


class DecryptionError(Exception):
    """A stored value cannot be decrypted: unknown key, tampered or not a ciphertext at all."""


def generate_key() -> str:
    """A new random key (32 bytes, URL-safe base64), usable as a field key or the search key."""
    return Fernet.generate_key().decode("ascii")


def parse_keys(value: str) -> list[str]:
    """Split a key list: comma- or whitespace-separated (one per line in a key file)."""
    return [key for key in re.split(r"[,\s]+", value) if key]


def _dev_key_file(name: str) -> list[str]:
    """Read, or create once with mode 0600, a key file under KIM_VAR_DIR (never in production).

    Creation is atomic (``os.link`` refuses an existing target), so concurrent first starts
    (gunicorn workers, parallel tests) agree on one key.
    """
    if settings.PRODUCTION:
        raise ImproperlyConfigured(f"{name}: production needs keys from the environment")
    path = Path(settings.VAR_DIR) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(generate_key() + "\n")
        try:
            # Another process may have won the race: then its key is the one to use.
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            tmp.unlink()
    return list(_read_key_file(str(path), path.stat().st_mtime_ns))


@functools.lru_cache(maxsize=16)
def _read_key_file(path: str, mtime_ns: int) -> tuple[str, ...]:
    """The keys of a key file, read once per version of the file (every encrypt and decrypt
    asks for the keys; reading the file each time cost 20–40 µs per value, benchmarks/cases.py).
    """
    keys = tuple(parse_keys(Path(path).read_text(encoding="ascii")))
    if not keys:
        raise ImproperlyConfigured(f"{path} holds no key; delete it to have a new one generated")
    return keys


def field_keys() -> list[str]:
    """The field encryption keys, newest first."""
    return list(settings.KIM_FIELD_KEYS) or _dev_key_file(FIELD_KEY_FILE)


def search_key() -> bytes:
    key = settings.KIM_SEARCH_KEY or _dev_key_file(SEARCH_KEY_FILE)[0]
    return key.encode("ascii")


@functools.lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"KIM_FIELD_KEYS holds an invalid key: {exc}") from exc


def _cipher() -> MultiFernet:
    return _multi_fernet(tuple(field_keys()))


def encrypt_bytes(data: bytes) -> bytes:
    """Encrypt file contents with the newest field key (documents of a case file)."""
    return _cipher().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _cipher().decrypt(token)
    except InvalidToken as exc:
        raise DecryptionError("not decryptable with the configured field keys") from exc


def encrypt_text(plaintext: str) -> str:
    """Encrypt with the newest key; the result is ASCII (Fernet token)."""
    return _cipher().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    """Decrypt with any configured key; raises ``DecryptionError`` (never returns "")."""
    try:
        return _cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as exc:
        raise DecryptionError(
            "cannot decrypt a stored value: unknown key (see KIM_FIELD_KEYS) or tampered data"
        ) from exc


def is_current(token: str) -> bool:
    """Whether ``token`` is encrypted with the newest key (rotation skips those)."""
    try:
        Fernet(field_keys()[0]).decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


class EncryptedField(models.TextField):  # type: ignore[type-arg]
    """Base of the encrypted fields: a text column holding a Fernet token, or NULL.

    ``None`` is stored as NULL (use ``null=True``). Every other value, the empty string too, is
    encrypted, so a row does not show which values are empty. A stored value that is not a
    valid token under a configured key raises ``DecryptionError`` on load.
    """

    def to_text(self, value: Any) -> str:
        return str(value)

    def from_text(self, text: str) -> Any:
        return text

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        try:
            return self.from_text(decrypt_text(value))
        except DecryptionError as exc:
            raise DecryptionError(f"{self.model._meta.label}.{self.name}: {exc}") from exc

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None:
            return None
        return encrypt_text(self.to_text(self.to_python(value)))

    def get_lookup(self, lookup_name: str) -> Any:
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, lookup_name: str) -> Any:
        return None


class EncryptedTextField(EncryptedField):
    """Free text encrypted at rest (names, contact data, notes)."""


class EncryptedDateField(EncryptedField):
    """A ``datetime.date`` stored as encrypted ISO text (e.g. a birth date)."""

    # For django-stubs: instances read and write dates.
    _pyi_private_set_type: datetime.date | str | None  # type: ignore[assignment]
    _pyi_private_get_type: datetime.date  # type: ignore[assignment]

    # Django's own message, already translated.
    default_error_messages = {"invalid": models.DateField.default_error_messages["invalid"]}

    def to_python(self, value: Any) -> datetime.date | None:
        if value is None or value == "":
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        parsed = parse_date(str(value)) if isinstance(value, str) else None
        if parsed is None:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            )
        return parsed

    def to_text(self, value: Any) -> str:
        return str(value.isoformat())

    def from_text(self, text: str) -> datetime.date:
        return datetime.date.fromisoformat(text)

    def formfield(self, **kwargs: Any) -> Any:
        return super(models.TextField, self).formfield(
            **{"form_class": PlausibleDateField, **kwargs}
        )


@dataclass(frozen=True)
class RotationCount:
    model: str
    rows: int  # rows with at least one encrypted value
    rotated: int  # rows re-encrypted (or, in a dry run, to be re-encrypted)


def encrypted_fields(model: type[models.Model]) -> list[EncryptedField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]


# JSON values that allauth's MFA adapter encrypts with the field keys (D-068): authenticator
# type → keys of ``Authenticator.data`` holding one token, or a list of tokens.
MFA_SECRETS = {"totp": ("secret",), "recovery_codes": ("seed", "migrated_codes")}


def _mfa_model() -> type[models.Model] | None:
    try:
        return apps.get_model("mfa", "Authenticator")
    except LookupError:
        return None


def encrypted_columns(model: type[models.Model]) -> int:
    """How many columns of ``model`` hold encrypted values (the authenticators: one JSON)."""
    return 1 if model is _mfa_model() else len(encrypted_fields(model))


def rotation_models() -> list[type[models.Model]]:
    """Every installed model with encrypted fields (a proxy's rows are its concrete model's),
    then allauth's authenticators, whose secrets are encrypted inside a JSON column."""
    found = [m for m in apps.get_models() if encrypted_fields(m) and not m._meta.proxy]
    mfa = _mfa_model()
    return [*found, mfa] if mfa is not None else found


def rotate_field_keys(
    *,
    dry_run: bool = False,
    models_: Iterable[type[models.Model]] | None = None,
    batch_size: int = 500,
) -> list[RotationCount]:
    """Re-encrypt with the newest key every encrypted value that is under an older key.

    Per model with encrypted fields (``rotate_model``); an undecryptable value stops the run
    with ``DecryptionError`` naming model and row, after the models and batches before it.
    """
    counts = []
    for model in rotation_models() if models_ is None else models_:
        if model is _mfa_model() or (encrypted_fields(model) and not model._meta.proxy):
            counts.append(rotate_model(model, dry_run=dry_run, batch_size=batch_size))
    return counts


def rotate_model(
    model: type[models.Model], *, dry_run: bool = False, batch_size: int = 500
) -> RotationCount:
    """Re-encrypt one model's stale values, batch by batch, each batch in its own transaction.

    1. Read the next ``batch_size`` rows after the last primary key seen, with their raw tokens
       (cast to text, so nothing is decrypted by the field), locked (``SELECT … FOR UPDATE``).
    2. A row whose tokens are all under the newest key is left alone (``is_current``): a run
       that is repeated – after an interruption, or by a second worker – re-encrypts nothing
       twice and finds nothing left once done.
    3. Other rows get all their encrypted fields decrypted and written back with
       ``bulk_update``, which encrypts with the newest key, before the batch's lock is
       released: a user's save cannot fall between reading a value and writing it back.
    """
    if model is _mfa_model():
        return _rotate_mfa_secrets(model, dry_run=dry_run, batch_size=batch_size)
    from kim.core.rls import system_access

    # Every organisation's rows: system work past row-level security (D-076).
    with system_access(f"key rotation {model._meta.label}"):
        return _rotate_rows(model, dry_run=dry_run, batch_size=batch_size)


def _rotate_rows(model: type[models.Model], *, dry_run: bool, batch_size: int) -> RotationCount:
    fields = encrypted_fields(model)
    raw = {f"raw_{f.attname}": Cast(f.attname, models.TextField()) for f in fields}
    rows = model._base_manager.annotate(**raw).order_by("pk")
    seen = rotated = 0
    last: Any = None
    while True:
        with transaction.atomic():
            page = rows if last is None else rows.filter(pk__gt=last)
            if not dry_run:
                page = page.select_for_update()
            batch = list(page.values_list("pk", *raw)[:batch_size])
            if not batch:
                break
            last = batch[-1][0]
            stale = []
            for pk, *tokens in batch:
                if all(token is None for token in tokens):
                    continue
                seen += 1
                if all(token is None or is_current(token) for token in tokens):
                    continue
                rotated += 1
                stale.append(_decrypted_instance(model, pk, fields, tokens))
            _write(model, stale, fields, dry_run=dry_run)
    return RotationCount(model._meta.label, seen, rotated)


def _rotate_mfa_secrets(
    model: type[models.Model], *, dry_run: bool, batch_size: int
) -> RotationCount:
    """The same steps as ``rotate_model`` for the tokens inside ``Authenticator.data``."""
    rows = model._base_manager.filter(type__in=MFA_SECRETS).order_by("pk")
    seen = rotated = 0
    last: Any = None
    while True:
        with transaction.atomic():
            page = rows if last is None else rows.filter(pk__gt=last)
            batch = list((page if dry_run else page.select_for_update())[:batch_size])
            if not batch:
                break
            last = batch[-1].pk
            for row in batch:
                data, stale = dict(row.data), False  # type: ignore[attr-defined]
                for key in MFA_SECRETS[row.type]:  # type: ignore[attr-defined]
                    value = data.get(key)
                    tokens = value if isinstance(value, list) else [value]
                    if any(isinstance(t, str) and not is_current(t) for t in tokens):
                        stale = True
                        fresh = [_reencrypt(row, key, t) for t in tokens]
                        data[key] = fresh if isinstance(value, list) else fresh[0]
                seen += 1
                if stale:
                    rotated += 1
                    if not dry_run:
                        row.data = data  # type: ignore[attr-defined]
                        row.save(update_fields=["data"])
    return RotationCount(model._meta.label, seen, rotated)


def _reencrypt(row: models.Model, key: str, token: Any) -> Any:
    if not isinstance(token, str):
        return token
    try:
        return encrypt_text(decrypt_text(token))
    except DecryptionError as exc:
        raise DecryptionError(f"{row._meta.label} pk={row.pk} {key}: {exc}") from exc


def _decrypted_instance(
    model: type[models.Model], pk: Any, fields: list[EncryptedField], tokens: list[str | None]
) -> models.Model:
    instance = model(pk=pk)
    for field, token in zip(fields, tokens, strict=True):
        try:
            value = None if token is None else field.from_text(decrypt_text(token))
        except DecryptionError as exc:
            raise DecryptionError(f"{model._meta.label} pk={pk} {field.name}: {exc}") from exc
        setattr(instance, field.attname, value)
    return instance


def _write(
    model: type[models.Model],
    batch: list[models.Model],
    fields: list[EncryptedField],
    *,
    dry_run: bool,
) -> None:
    if batch and not dry_run:
        model._base_manager.bulk_update(batch, [f.name for f in fields])


# Keyed search tokens. Each input is prefixed with its type so that a name token can never equal
# a phonetic or birth-date token, whatever the strings.
def _keyed(kind: str, value: str) -> str:
    message = f"{kind}:{value}".encode()
    return hmac.new(search_key(), message, hashlib.sha256).hexdigest()


def name_token(token: str) -> str:
    """The keyed hash of one normalised name token (exact match)."""
    return _keyed("name", token)


def phonetic_token(code: str) -> str:
    """The keyed hash of one Kölner Phonetik code (sounds-alike match)."""
    return _keyed("phonetic", code)


def search_tokens(name: str) -> set[str]:
    """Keyed tokens of a name: one per normalised token and one per non-empty phonetic code.

    Store them beside the row (a token table or an indexed JSON column) and search by
    intersecting with the tokens of the query. 64 hex characters each.
    """
    tokens = set()
    for token in name_tokens(name):
        tokens.add(name_token(token))
        code = cologne_phonetic(token)
        if code:
            tokens.add(phonetic_token(code))
    return tokens


def birth_date_token(day: datetime.date) -> str:
    """The keyed hash of a birth date (duplicate check together with the name tokens)."""
    if isinstance(day, datetime.datetime):
        day = day.date()
    return _keyed("birth_date", day.isoformat())
