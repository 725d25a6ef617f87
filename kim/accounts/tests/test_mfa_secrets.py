"""TOTP secrets and recovery-code seeds are encrypted at rest with the field keys (D-068)."""

from __future__ import annotations

import importlib

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.apps import apps
from django.contrib.auth import get_user_model

from kim.core.crypto import decrypt_text, encrypt_text
from tests.support import reauthenticated

pytestmark = pytest.mark.django_db

migration = importlib.import_module("kim.accounts.migrations.0003_encrypt_mfa_secrets")


def _current_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return f"{hotp_value(secret, counter):06d}"


def test_a_totp_secret_is_stored_encrypted_and_still_verifies() -> None:
    user = get_user_model().objects.get(username="cm-siegen")
    secret = generate_totp_secret()
    totp = TOTP.activate(user, secret)

    stored = Authenticator.objects.get(pk=totp.instance.pk).data["secret"]
    assert stored != secret and secret not in str(
        Authenticator.objects.get(pk=totp.instance.pk).data
    )
    assert decrypt_text(stored) == secret
    assert TOTP(Authenticator.objects.get(pk=totp.instance.pk)).validate_code(_current_code(secret))


def test_recovery_codes_come_from_an_encrypted_seed() -> None:
    user = get_user_model().objects.get(username="cm-siegen")
    codes = RecoveryCodes.activate(user)
    seed = Authenticator.objects.get(pk=codes.instance.pk).data["seed"]

    assert len(decrypt_text(seed)) == 80  # 40 random bytes as hex, readable only with the key
    fresh = RecoveryCodes(Authenticator.objects.get(pk=codes.instance.pk))
    assert fresh.get_unused_codes() == codes.get_unused_codes()
    assert fresh.validate_code(codes.get_unused_codes()[0])


def test_the_migration_encrypts_plain_secrets_once_and_reverses() -> None:
    user = get_user_model().objects.get(username="koordination")
    plain_totp = Authenticator.objects.create(
        user=user, type="totp", data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    plain_codes = Authenticator.objects.create(
        user=user,
        type="recovery_codes",
        data={"seed": "ab" * 40, "used_mask": 0, "migrated_codes": ["12345678"]},
    )
    already = Authenticator.objects.create(
        user=get_user_model().objects.get(username="siegen"),
        type="totp",
        data={"secret": encrypt_text("KRSXG5CTMVRXEZLU")},
    )
    before_already = dict(already.data)

    for _ in range(2):  # running it twice changes nothing more
        migration.encrypt_secrets(apps, None)
    plain_totp.refresh_from_db()
    plain_codes.refresh_from_db()
    already.refresh_from_db()
    assert decrypt_text(plain_totp.data["secret"]) == "JBSWY3DPEHPK3PXP"
    assert decrypt_text(plain_codes.data["seed"]) == "ab" * 40
    assert [decrypt_text(c) for c in plain_codes.data["migrated_codes"]] == ["12345678"]
    assert already.data == before_already

    migration.decrypt_secrets(apps, None)
    plain_totp.refresh_from_db()
    assert plain_totp.data["secret"] == "JBSWY3DPEHPK3PXP"


def test_setting_up_totp_through_the_page_stores_no_plain_secret() -> None:
    client = reauthenticated("cm-kreuztal")  # allauth asks for the password first
    page = client.get("/konto/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post("/konto/2fa/totp/activate/", {"code": _current_code(secret)})
    assert response.status_code == 302, response.content[:500]
    row = Authenticator.objects.get(user__username="cm-kreuztal", type="totp")
    assert secret not in str(row.data)
    assert decrypt_text(row.data["secret"]) == secret


def test_key_rotation_re_encrypts_mfa_secrets_so_the_old_key_can_go() -> None:
    from cryptography.fernet import Fernet
    from django.test import override_settings

    from kim.core.crypto import field_keys, rotate_field_keys

    old, new = field_keys()[0], Fernet.generate_key().decode()
    user = get_user_model().objects.get(username="cm-siegen")
    secret = generate_totp_secret()
    totp = TOTP.activate(user, secret)  # under the current (old) key
    codes = RecoveryCodes.activate(user)
    expected_codes = codes.get_unused_codes()

    with override_settings(KIM_FIELD_KEYS=[new, old]):
        dry = {c.model: c for c in rotate_field_keys(dry_run=True)}
        assert (dry["mfa.Authenticator"].rows, dry["mfa.Authenticator"].rotated) == (2, 2)
        rotate_field_keys()
        again = {c.model: c for c in rotate_field_keys(dry_run=True)}
        assert again["mfa.Authenticator"].rotated == 0
    with override_settings(KIM_FIELD_KEYS=[new]):  # the old key is gone
        assert TOTP(Authenticator.objects.get(pk=totp.instance.pk)).validate_code(
            _current_code(secret)
        )
        fresh = RecoveryCodes(Authenticator.objects.get(pk=codes.instance.pk))
        assert fresh.get_unused_codes() == expected_codes
