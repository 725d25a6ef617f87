"""Field encryption at rest, key rotation, dev key files and keyed search tokens."""

from __future__ import annotations

import datetime
import stat
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.db import connection, models
from django.test import override_settings
from django.test.utils import isolate_apps

from kim.audit.models import AuditEvent, EventType
from kim.core import crypto
from kim.core.crypto import (
    DecryptionError,
    EncryptedDateField,
    EncryptedTextField,
    birth_date_token,
    generate_key,
    name_token,
    phonetic_token,
    rotate_field_keys,
    search_tokens,
)

OLD_KEY, NEW_KEY, SEARCH_KEY, OTHER_SEARCH_KEY = (generate_key() for _ in range(4))
TABLE = "core_test_encrypted_person"


@pytest.fixture
def person(db: None) -> Iterator[type[models.Model]]:
    """A test-only model with encrypted fields; its table lives in the test's transaction."""
    with isolate_apps("kim.core"):

        class Person(models.Model):
            name = EncryptedTextField(null=True, blank=True)
            birth_date = EncryptedDateField(null=True, blank=True)
            code = models.CharField(max_length=10, default="")

            class Meta:
                app_label = "core"
                db_table = TABLE

            def __str__(self) -> str:
                return str(self.code)

    sql, params = connection.schema_editor().table_sql(Person)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    with override_settings(KIM_FIELD_KEYS=[OLD_KEY], KIM_SEARCH_KEY=SEARCH_KEY):
        yield Person


def raw_row(pk: int) -> tuple[str | None, str | None]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, birth_date FROM {TABLE} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()


def set_raw_name(pk: int, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET name = %s WHERE id = %s", [value, pk])  # noqa: S608


# Encryption at rest -------------------------------------------------------------------------


@pytest.mark.sqlite_too
def test_values_round_trip(person: type[models.Model]) -> None:
    saved = person.objects.create(name="Aylin Müller-Öztürk", birth_date=datetime.date(1990, 2, 28))
    loaded = person.objects.get(pk=saved.pk)
    assert loaded.name == "Aylin Müller-Öztürk"
    assert loaded.birth_date == datetime.date(1990, 2, 28)


@pytest.mark.sqlite_too
def test_the_raw_row_does_not_contain_the_plaintext(person: type[models.Model]) -> None:
    saved = person.objects.create(name="Aylin Müller", birth_date=datetime.date(1990, 2, 28))
    name, birth_date = raw_row(saved.pk)
    assert name is not None and birth_date is not None
    assert "Müller" not in name and "Aylin" not in name
    assert "1990" not in birth_date
    assert name.startswith("gAAAAA")  # a Fernet token (version byte 0x80)


@pytest.mark.sqlite_too
def test_equal_values_give_different_ciphertexts(person: type[models.Model]) -> None:
    a = person.objects.create(name="Müller")
    b = person.objects.create(name="Müller")
    assert raw_row(a.pk)[0] != raw_row(b.pk)[0]


@pytest.mark.sqlite_too
def test_none_is_null_and_the_empty_string_is_encrypted(person: type[models.Model]) -> None:
    empty = person.objects.create(name="", birth_date=None)
    name, birth_date = raw_row(empty.pk)
    assert birth_date is None
    assert name and name.startswith("gAAAAA")  # emptiness is not visible in the row
    loaded = person.objects.get(pk=empty.pk)
    assert loaded.name == "" and loaded.birth_date is None
    nothing = person.objects.create(name=None)
    assert raw_row(nothing.pk) == (None, None)
    assert person.objects.get(pk=nothing.pk).name is None


@pytest.mark.sqlite_too
def test_tampered_ciphertext_fails_loudly(person: type[models.Model]) -> None:
    saved = person.objects.create(name="Müller")
    token = raw_row(saved.pk)[0]
    assert token is not None
    set_raw_name(saved.pk, token[:-6] + ("AAAAAA" if token[-6:] != "AAAAAA" else "BBBBBB"))
    with pytest.raises(DecryptionError, match=r"core\.Person\.name: cannot decrypt"):
        person.objects.get(pk=saved.pk)


@pytest.mark.sqlite_too
@pytest.mark.parametrize("stored", ["", "Müller", "not-a-token"])
def test_a_value_written_around_the_field_fails_loudly(
    person: type[models.Model], stored: str
) -> None:
    saved = person.objects.create(name="x")
    set_raw_name(saved.pk, stored)
    with pytest.raises(DecryptionError):
        person.objects.get(pk=saved.pk)


@pytest.mark.sqlite_too
def test_an_unknown_key_fails_loudly(person: type[models.Model]) -> None:
    saved = person.objects.create(name="Müller")
    with override_settings(KIM_FIELD_KEYS=[NEW_KEY]), pytest.raises(DecryptionError):
        person.objects.get(pk=saved.pk)


@pytest.mark.sqlite_too
def test_lookups_other_than_isnull_are_refused(person: type[models.Model]) -> None:
    person.objects.create(name="Müller")
    with pytest.raises(FieldError):
        person.objects.filter(name="Müller").count()
    with pytest.raises(FieldError):
        person.objects.filter(name__icontains="ll").count()
    assert person.objects.filter(name__isnull=False).count() == 1
    assert person.objects.filter(birth_date__isnull=True).count() == 1


@pytest.mark.sqlite_too
def test_date_field_parses_iso_text_and_refuses_other_text(person: type[models.Model]) -> None:
    field = person._meta.get_field("birth_date")
    assert field.to_python("2001-09-11") == datetime.date(2001, 9, 11)
    with pytest.raises(ValidationError):
        field.to_python("11.09.2001")
    assert field.formfield().__class__.__name__ == "PlausibleDateField"  # kim.core.forms
    saved = person.objects.create(birth_date="2001-09-11")
    assert person.objects.get(pk=saved.pk).birth_date == datetime.date(2001, 9, 11)


# Key rotation -------------------------------------------------------------------------------


@pytest.mark.sqlite_too
def test_rotation_re_encrypts_with_the_newest_key(person: type[models.Model]) -> None:
    a = person.objects.create(name="Müller", birth_date=datetime.date(1990, 1, 1))
    b = person.objects.create(name="Maier")
    person.objects.create()  # nothing encrypted: not counted
    before = {pk: raw_row(pk) for pk in (a.pk, b.pk)}
    with override_settings(KIM_FIELD_KEYS=[NEW_KEY, OLD_KEY]):
        # Old rows stay readable as long as the old key is listed.
        assert person.objects.get(pk=a.pk).name == "Müller"
        c = person.objects.create(name="Schmidt")  # written with the new key already
        [count] = rotate_field_keys(models_=[person], batch_size=1)
        assert (count.model, count.rows, count.rotated) == ("core.Person", 3, 2)
        assert raw_row(a.pk) != before[a.pk] and raw_row(b.pk) != before[b.pk]
        assert all(crypto.is_current(t) for t in (*raw_row(a.pk), raw_row(b.pk)[0]) if t)
        [again] = rotate_field_keys(models_=[person])
        assert again.rotated == 0
    with override_settings(KIM_FIELD_KEYS=[NEW_KEY]):  # the old key can now be removed
        loaded = person.objects.get(pk=a.pk)
        assert (loaded.name, loaded.birth_date) == ("Müller", datetime.date(1990, 1, 1))
        assert person.objects.get(pk=b.pk).birth_date is None
        assert person.objects.get(pk=c.pk).name == "Schmidt"


@pytest.mark.sqlite_too
def test_dry_run_counts_and_changes_nothing(person: type[models.Model]) -> None:
    a = person.objects.create(name="Müller")
    before = raw_row(a.pk)
    with override_settings(KIM_FIELD_KEYS=[NEW_KEY, OLD_KEY]):
        [count] = rotate_field_keys(models_=[person], dry_run=True)
    assert (count.rows, count.rotated) == (1, 1)
    assert raw_row(a.pk) == before


@pytest.mark.sqlite_too
def test_rotation_stops_at_an_undecryptable_row(person: type[models.Model]) -> None:
    a = person.objects.create(name="Müller")
    with (
        override_settings(KIM_FIELD_KEYS=[NEW_KEY]),
        pytest.raises(DecryptionError, match=rf"core\.Person pk={a.pk} name"),
    ):
        rotate_field_keys(models_=[person])


@pytest.mark.sqlite_too
def test_the_command_covers_installed_models(
    person: type[models.Model], monkeypatch: pytest.MonkeyPatch
) -> None:
    person.objects.create(name="Müller")
    person.objects.create(name="Maier")
    monkeypatch.setattr(crypto.apps, "get_models", lambda: [person])
    out = StringIO()
    with override_settings(KIM_FIELD_KEYS=[NEW_KEY, OLD_KEY]):
        call_command("rotate_field_keys", "--dry-run", stdout=out)
        assert "core.Person: 2 rows, 2 to re-encrypt" in out.getvalue()
        assert "dry run, nothing written" in out.getvalue()
        assert not AuditEvent.objects.filter(event_type=EventType.KEYS_ROTATED).exists()
        out = StringIO()
        call_command("rotate_field_keys", stdout=out)
        assert "core.Person: 2 rows, 2 re-encrypted" in out.getvalue()
        event = AuditEvent.objects.get(event_type=EventType.KEYS_ROTATED)
        assert event.actor is None  # the operator on the server
        assert event.extra == {"keys": 2, "rows": 2, "rotated": 2, "models": {"core.Person": 2}}
    with override_settings(KIM_FIELD_KEYS=[NEW_KEY]):
        assert sorted(p.name for p in person.objects.all()) == ["Maier", "Müller"]


@pytest.mark.sqlite_too
@pytest.mark.django_db
def test_rotation_of_the_demo_world_finds_everything_under_the_newest_key() -> None:
    """The case models encrypt with the current key: a dry run has nothing to re-encrypt."""
    out = StringIO()
    call_command("rotate_field_keys", "--dry-run", stdout=out)
    assert "Total: 0 rows to re-encrypt" in out.getvalue()
    assert "cases.Person: " in out.getvalue()


# Keys from the environment or a generated file --------------------------------------------


def test_development_generates_a_private_key_file_once(tmp_path: Path) -> None:
    with override_settings(VAR_DIR=tmp_path / "var", KIM_FIELD_KEYS=[], KIM_SEARCH_KEY=""):
        keys = crypto.field_keys()
        search = crypto.search_key()
        assert crypto.field_keys() == keys and crypto.search_key() == search
        assert crypto.decrypt_text(crypto.encrypt_text("Müller")) == "Müller"
    field_file = tmp_path / "var" / crypto.FIELD_KEY_FILE
    search_file = tmp_path / "var" / crypto.SEARCH_KEY_FILE
    for path in (field_file, search_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert field_file.read_text().split() == keys
    assert search_file.read_text().strip() != keys[0]
    assert not list((tmp_path / "var").glob(".*.tmp"))


def test_an_empty_key_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / crypto.FIELD_KEY_FILE).write_text("\n")
    with (
        override_settings(VAR_DIR=tmp_path, KIM_FIELD_KEYS=[]),
        pytest.raises(ImproperlyConfigured, match="holds no key"),
    ):
        crypto.field_keys()


def test_production_never_falls_back_to_a_key_file(tmp_path: Path) -> None:
    with override_settings(VAR_DIR=tmp_path, PRODUCTION=True, KIM_FIELD_KEYS=[], KIM_SEARCH_KEY=""):
        with pytest.raises(ImproperlyConfigured):
            crypto.field_keys()
        with pytest.raises(ImproperlyConfigured):
            crypto.search_key()
    assert not list(tmp_path.iterdir())


def test_key_lists_accept_commas_and_lines() -> None:
    assert crypto.parse_keys(f"{NEW_KEY}, {OLD_KEY}\n") == [NEW_KEY, OLD_KEY]
    assert crypto.parse_keys(f"{NEW_KEY}\n{OLD_KEY}\n") == [NEW_KEY, OLD_KEY]


def test_generate_field_key_prints_a_usable_key() -> None:
    out = StringIO()
    call_command("generate_field_key", stdout=out)
    key = out.getvalue().strip()
    with override_settings(KIM_FIELD_KEYS=[key]):
        assert crypto.decrypt_text(crypto.encrypt_text("x")) == "x"


# Keyed search tokens ------------------------------------------------------------------------


@override_settings(KIM_SEARCH_KEY=SEARCH_KEY)
def test_spelling_variants_give_equal_tokens() -> None:
    assert search_tokens("Müller") == search_tokens("Mueller") == search_tokens("MÜLLER")
    assert search_tokens("  müller ") == search_tokens("Müller")


@override_settings(KIM_SEARCH_KEY=SEARCH_KEY)
def test_sound_alike_names_share_only_the_phonetic_token() -> None:
    meyer, maier = search_tokens("Meyer"), search_tokens("Maier")
    assert meyer & maier == {phonetic_token("67")}
    assert name_token("meyer") in meyer and name_token("meyer") not in maier


@override_settings(KIM_SEARCH_KEY=SEARCH_KEY)
def test_a_name_gives_one_token_per_part_and_per_phonetic_code() -> None:
    tokens = search_tokens("Müller-Lüdenscheidt")
    assert tokens == {
        name_token("mueller"),
        name_token("luedenscheidt"),
        phonetic_token("657"),
        phonetic_token("52682"),
    }
    assert all(len(t) == 64 and int(t, 16) >= 0 for t in tokens)
    # No Latin letters: exact tokens only.
    assert search_tokens("Иван Петров") == {name_token("иван"), name_token("петров")}
    assert search_tokens("") == set()


@override_settings(KIM_SEARCH_KEY=SEARCH_KEY)
def test_token_types_never_collide() -> None:
    assert name_token("67") != phonetic_token("67")
    assert name_token("1990-01-01") != birth_date_token(datetime.date(1990, 1, 1))


def test_tokens_depend_on_the_search_key() -> None:
    day = datetime.date(1990, 1, 1)
    with override_settings(KIM_SEARCH_KEY=SEARCH_KEY):
        first, first_day = search_tokens("Müller"), birth_date_token(day)
        assert birth_date_token(datetime.datetime(1990, 1, 1, 12, 0)) == first_day
    with override_settings(KIM_SEARCH_KEY=OTHER_SEARCH_KEY):
        assert search_tokens("Müller").isdisjoint(first)
        assert birth_date_token(day) != first_day
