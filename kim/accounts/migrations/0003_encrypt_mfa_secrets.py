"""Encrypt the TOTP secrets and recovery-code seeds allauth stored in plain text before
``kim.accounts.adapter.MFAAdapter`` (D-068). Values that already decrypt are left alone, so the
migration can run twice; going back decrypts them again."""

from django.db import migrations

from kim.core.crypto import DecryptionError, decrypt_text, encrypt_text

SECRET_KEYS = {"totp": ("secret",), "recovery_codes": ("seed",)}


def _is_encrypted(value: str) -> bool:
    try:
        decrypt_text(value)
    except (DecryptionError, ValueError, TypeError):
        return False
    return True


def _convert(apps, schema_editor, forward: bool) -> None:
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=SECRET_KEYS):
        data = dict(authenticator.data)
        fields = [key for key in SECRET_KEYS[authenticator.type] if isinstance(data.get(key), str)]
        codes = data.get("migrated_codes")
        changed = False
        for key in fields:
            encrypted = _is_encrypted(data[key])
            if forward and not encrypted:
                data[key], changed = encrypt_text(data[key]), True
            elif not forward and encrypted:
                data[key], changed = decrypt_text(data[key]), True
        if isinstance(codes, list):
            converted = []
            for code in codes:
                encrypted = _is_encrypted(code)
                if forward and not encrypted:
                    code, changed = encrypt_text(code), True
                elif not forward and encrypted:
                    code, changed = decrypt_text(code), True
                converted.append(code)
            data["migrated_codes"] = converted
        if changed:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


def encrypt_secrets(apps, schema_editor) -> None:
    _convert(apps, schema_editor, forward=True)


def decrypt_secrets(apps, schema_editor) -> None:
    _convert(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_membership_grant_status"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_secrets, decrypt_secrets)]
