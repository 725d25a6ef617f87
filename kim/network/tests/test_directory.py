"""The network directory (issue 19 part 1, D-090): who may do what, import and export, the
topic catalogue, texts in further languages, the start card, query counts."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kim.audit.models import AuditEvent, EventType
from kim.core.locking import EditConflict
from kim.network.directory import actions
from kim.network.directory.demo import SERVICES, seed_directory
from kim.network.models import Service, ServiceText, ServiceTopic
from kim.network.reference_data import TOPIC_KEYS
from kim.network.tests.factories_public import clear_directory
from kim.organisations.models import Organisation

pytestmark = pytest.mark.django_db

PERSONAS = (
    "koordination",
    "siegen",
    "cm-siegen",
    "cm-kreuztal",
    "cm-traeger",
    "traeger",
    "teamlead-siegen",
    "abh",
    "rat",
    "dsb",
    "admin",
)
MAINTAINERS = {"koordination", "traeger"}
JOBCENTER = "Leistungen und Arbeitsvermittlung (SGB II)"  # the coordination's to maintain
JMD = "Jugendmigrationsdienst (JMD)"  # the demo Träger's own, not confirmed for 14 months
MBE = "Migrationsberatung für Erwachsene (MBE)"  # the demo Träger's own, with texts


def _service(name: str) -> Service:
    return Service.objects.get(name=name)


def _user(username: str):  # type: ignore[no-untyped-def]
    return get_user_model().objects.get(username=username)


def _kreis() -> Organisation:
    return Organisation.objects.get(ags="05970")


# --- the permission matrix ----------------------------------------------------------------------


def _edit_status(persona: str, service: str) -> int:
    if persona == "koordination" or (persona == "traeger" and service == JMD):
        return 200
    return 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_everybody_of_the_kreis_reads_the_list_and_the_details(
    login_as: Callable[[str], Client], persona: str
) -> None:
    client = login_as(persona)
    page = client.get("/netzwerk/?valid=all")
    assert page.status_code == 200
    assert page.context["page"].paginator.count == len(SERVICES)
    for name in (JOBCENTER, JMD):
        assert client.get(f"/netzwerk/angebote/{_service(name).code}/").status_code == 200
    assert client.get("/netzwerk/themen/").status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("service", [JOBCENTER, JMD])
def test_only_maintainers_change_an_entry(
    login_as: Callable[[str], Client], persona: str, service: str
) -> None:
    """Coordination: every entry of its Kreis; Träger manager: own entries; others 403 – the
    same requests for everybody, so a refusal cannot pass for the wrong reason."""
    client = login_as(persona)
    entry = _service(service)
    base = f"/netzwerk/angebote/{entry.code}"
    expected = _edit_status(persona, service)
    for url in (f"{base}/bearbeiten/", f"{base}/beenden/", f"{base}/loeschen/", f"{base}/texte/"):
        assert client.get(url).status_code == expected, url
    before = entry.confirmed_on
    Service.objects.filter(pk=entry.pk).update(confirmed_on=dt.date(2020, 1, 1))
    response = client.post(f"{base}/bestaetigen/")
    entry.refresh_from_db()
    if expected == 200:
        assert response.status_code == 302
        assert entry.confirmed_on == timezone.localdate()
        assert entry.confirmed_by == _user(persona)
    else:
        assert response.status_code == 403
        assert entry.confirmed_on == dt.date(2020, 1, 1) != before
    detail = client.get(f"{base}/")
    assert (f"{base}/bearbeiten/" in detail.text) is (expected == 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_create_import_and_topics_only_for_maintainers(
    login_as: Callable[[str], Client], persona: str
) -> None:
    client = login_as(persona)
    expected = 200 if persona in MAINTAINERS else 403
    assert client.get("/netzwerk/angebote/neu/").status_code == expected
    assert client.get("/netzwerk/import/").status_code == expected
    assert client.get("/netzwerk/import/vorlage.csv").status_code == expected
    topic_status = 200 if persona == "koordination" else 403
    assert client.get("/netzwerk/themen/neu/").status_code == topic_status
    page = client.get("/netzwerk/")
    assert ("/netzwerk/angebote/neu/" in page.text) is (persona in MAINTAINERS)
    assert ("/netzwerk/import/" in page.text) is (persona in MAINTAINERS)


def test_a_stranger_of_another_kreis_sees_nothing(stranger: Client) -> None:
    entry = _service(JOBCENTER)
    for url in ("/", "bearbeiten/", "beenden/", "loeschen/", "texte/"):
        path = f"/netzwerk/angebote/{entry.code}/{url.lstrip('/')}"
        assert stranger.get(path).status_code == 404, path
    assert stranger.post(f"/netzwerk/angebote/{entry.code}/bestaetigen/").status_code == 404
    page = stranger.get("/netzwerk/?valid=all")
    assert page.status_code == 200 and page.context["page"].paginator.count == 0
    export = stranger.get("/netzwerk/export.csv?valid=all")
    assert export.status_code == 200
    assert export.content.decode("utf-8-sig").strip().count("\r\n") == 0  # the header only


def test_a_user_without_a_kreis_gets_404(client: Client) -> None:
    from kim.accounts.actions import create_user

    client.force_login(create_user(acting_user=None, username="niemand", password=None))
    assert client.get("/netzwerk/").status_code == 404
    assert client.get(f"/netzwerk/angebote/{_service(JOBCENTER).code}/").status_code == 404
    assert client.get("/netzwerk/export.csv").status_code == 404


# --- list, filters, detail ----------------------------------------------------------------------


def test_filters(login_as: Callable[[str], Client]) -> None:
    client = login_as("cm-siegen")

    def names(query: str) -> set[str]:
        page = client.get(f"/netzwerk/?{query}")
        assert page.status_code == 200
        return {s.name for s in page.context["page"].object_list}

    everything = {s.name for s in SERVICES}
    current = {s.name for s in SERVICES if s.valid_to is None}
    assert names("") == current  # only valid today by default
    assert names("valid=all") == everything
    assert names("q=jugendmigration") == {JMD}
    assert names("q=Brücke") == {JMD, MBE}  # the provider's name
    assert names("topic=debt") == {"Schuldnerberatung Wittgenstein"}
    assert names("sphere=stag") == {"Einbürgerungsberatung"}
    assert names("language=uk") == {JMD}
    siegen = (
        Organisation.objects.get(name="Stadt Siegen")
        if Organisation.objects.filter(name="Stadt Siegen").exists()
        else Organisation.objects.get(region=_kreis(), kind="kommune", name__contains="Siegen")
    )
    in_siegen = names(f"town={siegen.pk}")
    assert "Leistungen nach dem Asylbewerberleistungsgesetz" in in_siegen  # Siegen only
    assert JOBCENTER in in_siegen  # the whole Kreis
    assert "Schuldnerberatung Wittgenstein" not in in_siegen
    empty = client.get("/netzwerk/?q=gibtesnicht")
    assert "Kein Eintrag passt zu diesen Filtern" in empty.text


def test_the_to_confirm_filter_is_for_maintainers(login_as: Callable[[str], Client]) -> None:
    page = login_as("koordination").get("/netzwerk/?due=on")
    assert {s.name for s in page.context["page"].object_list} == {JMD}
    assert "due" not in login_as("cm-siegen").get("/netzwerk/").context["form"].fields


def test_detail_shows_texts_with_language_and_direction(
    login_as: Callable[[str], Client],
) -> None:
    entry = _service(MBE)
    page = login_as("cm-siegen").get(f"/netzwerk/angebote/{entry.code}/")
    assert '<div lang="ar" dir="rtl">' in page.text
    assert '<div lang="uk" dir="ltr">' in page.text
    assert "استشارات الهجرة" in page.text
    assert "nicht bestätigt seit" not in page.text
    jmd = login_as("cm-siegen").get(f"/netzwerk/angebote/{_service(JMD).code}/")
    assert "nicht bestätigt seit" in jmd.text


# --- forms and actions --------------------------------------------------------------------------


def _form_data(entry: Service | None = None, **changes: object) -> dict[str, object]:
    topics = ServiceTopic.objects.filter(key__in=["work", "livelihood"], valid_to__isnull=True)
    data: dict[str, object] = {
        "provider": entry.provider_id
        if entry
        else Organisation.objects.get(name="Jobcenter Siegen-Wittgenstein").pk,
        "name": entry.name if entry else "Neue Beratung",
        "topics": [t.pk for t in topics],
        "languages": ["de", "ar"],
        "valid_from": "01.01.2024",
        "source": "Telefonat mit dem Anbieter",
        "step_free": "unknown",
    }
    if entry is not None:
        data |= {"version": entry.version, "confirm": "on"}
    data.update(changes)
    return data


def test_create_an_entry_with_german_errors_next_to_the_field(
    login_as: Callable[[str], Client],
) -> None:
    client = login_as("koordination")
    before = Service.objects.count()
    bad = client.post("/netzwerk/angebote/neu/", _form_data(valid_to="31.12.2023", topics=[]))
    assert bad.status_code == 200 and Service.objects.count() == before
    assert bad.context["form"].errors["valid_to"] == [
        "Das Ende der Gültigkeit kann nicht vor ihrem Beginn liegen."
    ]
    assert "topics" in bad.context["form"].errors
    good = client.post("/netzwerk/angebote/neu/", _form_data())
    assert good.status_code == 302
    entry = Service.objects.get(name="Neue Beratung")
    assert entry.region == _kreis() and entry.languages == ["de", "ar"]
    assert entry.legal_spheres == ["sgb_ii", "sgb_iii", "sgb_xii", "asylblg"]  # from topics
    assert entry.confirmed_on == timezone.localdate()
    assert AuditEvent.objects.filter(
        event_type=EventType.SERVICE_CREATED, subject_code=entry.code
    ).exists()


def test_a_traeger_manager_names_only_the_own_agency(login_as: Callable[[str], Client]) -> None:
    client = login_as("traeger")
    response = client.post("/netzwerk/angebote/neu/", _form_data())  # the Jobcenter
    assert response.status_code == 200 and "provider" in response.context["form"].errors
    own = _service(JMD).provider
    assert client.post("/netzwerk/angebote/neu/", _form_data(provider=own.pk)).status_code == 302


def test_the_action_refuses_towns_and_topics_outside_the_catalogue() -> None:
    kreis = _kreis()
    olpe = Organisation.objects.create(kind="kreis", name="Kreis Olpe X", ags="05966")
    town = Organisation.objects.create(kind="kommune", name="Olpe X", ags="05966024", region=olpe)
    ended = ServiceTopic.objects.create(
        key="old",
        name="Alt",
        name_en="Old",
        valid_from=dt.date(2020, 1, 1),
        valid_to=dt.date(2021, 1, 1),
        source="x",
    )
    with pytest.raises(Exception) as refused:
        actions.create_service(
            acting_user=None,
            region=kreis,
            provider=kreis,
            topics=[ended],
            towns=[town],
            name="X",
            valid_from=dt.date(2024, 1, 1),
            valid_to=dt.date(2023, 1, 1),
            source="x",
            languages=["xx"],
        )
    errors = refused.value.message_dict  # type: ignore[attr-defined]
    assert set(errors) == {"topics", "towns", "valid_to", "languages"}


def test_an_edit_conflict_keeps_both_versions(login_as: Callable[[str], Client]) -> None:
    client = login_as("koordination")
    entry = _service(JOBCENTER)
    stale = _form_data(entry, name="Meine Fassung")
    assert (
        client.post(
            f"/netzwerk/angebote/{entry.code}/bearbeiten/", _form_data(entry, name="Andere Fassung")
        ).status_code
        == 302
    )
    response = client.post(f"/netzwerk/angebote/{entry.code}/bearbeiten/", stale)
    assert response.status_code == 200
    assert 'id="edit-conflict"' in response.text and "Meine Fassung" in response.text
    entry.refresh_from_db()
    assert entry.name == "Andere Fassung"
    with pytest.raises(EditConflict):
        actions.update_service(
            entry, acting_user=None, expected_version=entry.version - 1, topics=[], name="x"
        )


def test_end_an_entry(login_as: Callable[[str], Client]) -> None:
    client = login_as("traeger")
    entry = _service(JMD)
    bad = client.post(
        f"/netzwerk/angebote/{entry.code}/beenden/",
        {"valid_to": "01.01.2000", "version": entry.version},
    )
    assert bad.status_code == 200 and "valid_to" in bad.context["form"].errors
    done = client.post(
        f"/netzwerk/angebote/{entry.code}/beenden/",
        {"valid_to": "31.12.2026", "version": entry.version},
    )
    assert done.status_code == 302
    entry.refresh_from_db()
    assert entry.valid_to == dt.date(2026, 12, 31)


def test_delete_an_entry_nobody_refers_to(login_as: Callable[[str], Client]) -> None:
    # The demo's referrals point at some of the Kreis' entries (the Jobcenter's among them);
    # take one that no referral names.
    referred = apps.get_model("cases", "Referral").objects.values("service_id")
    entry = (
        Service.objects.filter(region=_kreis())
        .exclude(pk__in=referred.exclude(service_id=None))
        .order_by("name")
        .first()
    )
    assert entry is not None, "the demo has an entry nobody was referred to"
    response = login_as("koordination").post(f"/netzwerk/angebote/{entry.code}/loeschen/")
    assert response.status_code == 302
    assert not Service.objects.filter(pk=entry.pk).exists()
    assert AuditEvent.objects.filter(
        event_type=EventType.SERVICE_DELETED, subject_code=entry.code
    ).exists()


def _refer_to(entry: Service) -> None:
    """Point a demo referral of case management at the entry (the app that owns referrals is
    a floor above; the model registry reaches it without an import)."""
    referral_model = apps.get_model("cases", "Referral")
    referral = referral_model.objects.order_by("id").first()
    assert referral is not None, "the demo has referrals"
    referral_model.objects.filter(pk=referral.pk).update(service=entry)


def test_delete_is_refused_when_a_referral_points_at_the_entry(
    login_as: Callable[[str], Client],
) -> None:
    entry = _service(JOBCENTER)
    _refer_to(entry)
    client = login_as("koordination")
    response = client.post(f"/netzwerk/angebote/{entry.code}/loeschen/", follow=True)
    assert response.status_code == 200
    assert "kann nicht gelöscht werden" in response.text
    assert Service.objects.filter(pk=entry.pk).exists()
    assert not AuditEvent.objects.filter(
        event_type=EventType.SERVICE_DELETED, subject_code=entry.code
    ).exists()


@pytest.mark.sqlite_too
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the deferred foreign key exists on PostgreSQL"
)
def test_delete_is_refused_by_the_database_when_the_reader_cannot_see_the_referral(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under row-level security the collector may find no referral; the deferred foreign key
    is then checked inside the action, and the refusal is a message, not a failed commit."""
    from django.db.models import deletion

    entry = _service(JOBCENTER)
    _refer_to(entry)
    entry.topics.clear()  # nothing else may point at the entry: only the referral is left
    entry.towns.clear()
    ServiceText.objects.filter(service=entry).delete()
    monkeypatch.setattr(deletion.Collector, "can_fast_delete", lambda self, *a, **k: True)
    monkeypatch.setattr(
        deletion.Collector,
        "collect",
        lambda self, objs, *a, **k: self.add(objs),
    )
    with pytest.raises(ValidationError) as refused:
        actions.delete_service(entry, acting_user=None)
    assert refused.value.code == "referenced"
    assert Service.objects.filter(pk=entry.pk).exists()
    assert Service.objects.count() == len(SERVICES)  # the transaction is still usable


# --- texts --------------------------------------------------------------------------------------


def test_texts_in_further_languages(login_as: Callable[[str], Client]) -> None:
    client = login_as("traeger")
    entry = _service(JMD)
    german = client.post(f"/netzwerk/angebote/{entry.code}/texte/", {"language": "de", "name": "x"})
    assert german.status_code == 200 and "language" in german.context["form"].errors
    created = client.post(
        f"/netzwerk/angebote/{entry.code}/texte/",
        {"language": "fa", "name": "خدمات مهاجرت جوانان", "description": "متن آزمایشی"},
    )
    assert created.status_code == 302
    text = ServiceText.objects.get(service=entry, language="fa")
    page = client.get(f"/netzwerk/angebote/{entry.code}/texte/fa/")
    assert 'lang="fa" dir="rtl"' in page.text
    saved = client.post(
        f"/netzwerk/angebote/{entry.code}/texte/fa/",
        {"name": "نام جدید", "version": text.version},
    )
    assert saved.status_code == 302
    text.refresh_from_db()
    assert text.name == "نام جدید" and text.version == 2
    assert client.post(f"/netzwerk/angebote/{entry.code}/texte/fa/loeschen/").status_code == 302
    assert not ServiceText.objects.filter(service=entry, language="fa").exists()
    assert (
        AuditEvent.objects.filter(
            event_type=EventType.SERVICE_TEXT_SAVED, subject_code=entry.code
        ).count()
        >= 3
    )


# --- topics -------------------------------------------------------------------------------------


def test_the_topic_catalogue_is_loaded_once() -> None:
    assert sorted(ServiceTopic.objects.values_list("key", flat=True)) == sorted(TOPIC_KEYS)
    assert actions.load_topics(acting_user=None) == 0
    assert ServiceTopic.objects.count() == len(TOPIC_KEYS)


def test_a_new_version_of_a_topic_ends_the_old_one(login_as: Callable[[str], Client]) -> None:
    client = login_as("koordination")
    old = ServiceTopic.objects.get(key="debt")
    entries = set(old.services.values_list("pk", flat=True))
    assert entries
    response = client.post(
        "/netzwerk/themen/neu/",
        {
            "key": "debt",
            "name": "Schulden- und Insolvenzberatung",
            "name_en": "Debt and insolvency counselling",
            "legal_spheres": ["sgb_ii", "sgb_xii"],
            "position": 110,
            "valid_from": "01.01.2026",
            "source": "Beschluss der Steuerungsgruppe (Demo)",
        },
    )
    assert response.status_code == 302
    old.refresh_from_db()
    new = ServiceTopic.objects.get(key="debt", valid_from=dt.date(2026, 1, 1))
    assert old.valid_to == dt.date(2025, 12, 31)
    assert set(new.services.values_list("pk", flat=True)) == entries
    page = client.get("/netzwerk/themen/")
    assert "Schulden- und Insolvenzberatung" in page.text and "bis 31.12.2025" in page.text
    again = client.post("/netzwerk/themen/neu/", {**response.wsgi_request.POST.dict()})
    assert again.status_code == 200 and "valid_from" in again.context["form"].errors


# --- start card -------------------------------------------------------------------------------


def test_entries_not_confirmed_for_12_months_are_on_the_maintainers_start_page(
    login_as: Callable[[str], Client],
) -> None:
    jmd = _service(JMD)
    link = f"/netzwerk/angebote/{jmd.code}/"
    for persona in ("koordination", "traeger"):
        assert link in login_as(persona).get("/").text, persona
    assert link not in login_as("cm-siegen").get("/").text
    assert "/netzwerk/" in login_as("siegen").get("/").text  # the programme lead's way in
    login_as("traeger").post(f"/netzwerk/angebote/{jmd.code}/bestaetigen/")
    assert link not in login_as("koordination").get("/").text


def test_menu_link_only_for_those_with_room(login_as: Callable[[str], Client]) -> None:
    for persona in PERSONAS:
        nav = login_as(persona).get("/netzwerk/").context["nav"]
        expected = persona not in {"koordination", "siegen", "admin", "dsb"}
        assert bool(nav["network_menu"]) is expected, persona


# --- query counts -------------------------------------------------------------------------------


def _add_services(count: int) -> None:
    kreis = _kreis()
    provider = Organisation.objects.get(name="Jobcenter Siegen-Wittgenstein")
    topics = list(ServiceTopic.objects.filter(key__in=["work", "housing"]))
    towns = list(Organisation.objects.filter(region=kreis, kind="kommune")[:3])
    for number in range(count):
        actions.create_service(
            acting_user=None,
            region=kreis,
            provider=provider,
            topics=topics,
            towns=towns,
            name=f"AAA Angebot {number:03d}",
            valid_from=dt.date(2024, 1, 1),
            source="Test",
            languages=["de", "en"],
        )


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_list_costs_the_same_for_10_and_40_entries(
    login_as: Callable[[str], Client], django_assert_max_num_queries: Callable[..., object]
) -> None:
    client = login_as("koordination")
    clear_directory()
    _add_services(10)
    ten = _queries(client, "/netzwerk/?valid=all")
    _add_services(30)
    forty = _queries(client, "/netzwerk/?valid=all")
    assert ten == forty
    with django_assert_max_num_queries(16):  # type: ignore[operator]
        client.get("/netzwerk/?valid=all")
    export_ten = _queries(client, "/netzwerk/export.csv?valid=all")
    assert export_ten <= forty + 4


def test_the_detail_page_costs_the_same_with_more_texts_and_towns(
    login_as: Callable[[str], Client], django_assert_max_num_queries: Callable[..., object]
) -> None:
    client = login_as("koordination")
    entry = _service(MBE)
    url = f"/netzwerk/angebote/{entry.code}/"
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        client.get(url)
    before = _queries(client, url)
    for language in ("fa", "tr", "ru", "ps"):
        actions.save_service_text(entry, acting_user=None, language=language, name="Text")
    entry.towns.set(Organisation.objects.filter(region=_kreis(), kind="kommune"))
    assert _queries(client, url) == before


# --- export and import ----------------------------------------------------------------------


def test_formula_text_stays_text_in_csv_and_xlsx(login_as: Callable[[str], Client]) -> None:
    from openpyxl import load_workbook

    entry = _service(JOBCENTER)
    Service.objects.filter(pk=entry.pk).update(name='=HYPERLINK("http://evil","x")')
    client = login_as("koordination")
    csv_text = client.get("/netzwerk/export.csv?q=evil").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text
    sheet = load_workbook(io.BytesIO(client.get("/netzwerk/export.xlsx?q=evil").content)).active
    assert sheet is not None
    cell = sheet["B2"]
    assert cell.value == '=HYPERLINK("http://evil","x")' and cell.data_type == "s"
    assert [c.value for c in sheet[1]][:4] == ["Code", "Name", "Beschreibung", "Anbieter"]
    back = _upload(client, "zurueck.csv", csv_text.encode("utf-8"))
    assert back.status_code == 302  # type: ignore[attr-defined]
    assert Service.objects.get(pk=entry.pk).name == '=HYPERLINK("http://evil","x")'  # no "'"


def _upload(client: Client, name: str, content: bytes) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/netzwerk/import/",
        {"region": _kreis().pk, "file": SimpleUploadedFile(name, content)},
    )


CSV_HEADER = "Code;Name;Anbieter;Themen;Orte;Sprachen;Gültig ab;Gültig bis;Quelle;Öffentlich"


def test_an_import_with_errors_stores_nothing(login_as: Callable[[str], Client]) -> None:
    client = login_as("koordination")
    rows = [
        CSV_HEADER,
        "ROW2;Gute Zeile;Jobcenter;Arbeit und Beruf;Siegen;Deutsch;01.01.2024;;Telefonat;ja",
        ";Neue gute Zeile;Jobcenter;work;;;01.01.2024;;Telefonat;nein",
        ";;Unbekannter Anbieter;Gibt es nicht;Olpe;Klingonisch;32.01.2024;;;vielleicht",
        "",
        ";Falsche Daten;Jobcenter;Wohnen;;;01.02.2024;01.01.2024;Quelle;",
    ]
    before = (Service.objects.count(), AuditEvent.objects.count())
    response = _upload(client, "liste.csv", "\n".join(rows).encode("utf-8"))
    assert response.status_code == 200  # type: ignore[attr-defined]
    errors = response.context["errors"]  # type: ignore[attr-defined]
    assert any(e.startswith("Zeile 2: ") and "ROW2" in e for e in errors)
    assert any(e.startswith("Zeile 4: ") and "Anbieter" in e for e in errors)
    assert any(e.startswith("Zeile 4: ") and "Klingonisch" in e for e in errors)
    assert any(e.startswith("Zeile 4: ") and "Olpe" in e for e in errors)
    assert any(e.startswith("Zeile 6: ") for e in errors)  # the blank line keeps its number
    assert not any(e.startswith("Zeile 3") for e in errors)
    assert (Service.objects.count(), AuditEvent.objects.count()) == before


def test_export_then_import_is_a_round_trip(login_as: Callable[[str], Client]) -> None:
    client = login_as("koordination")
    for fmt in ("csv", "xlsx"):
        exported = client.get(f"/netzwerk/export.{fmt}?valid=all").content
        before = {
            s.code: (s.name, s.languages, s.legal_spheres, s.valid_to, s.public, s.step_free)
            for s in Service.objects.all()
        }
        topics_before = {
            s.code: sorted(t.key for t in s.topics.all()) for s in Service.objects.all()
        }
        response = _upload(client, f"hilfenetz.{fmt}", exported)
        assert response.status_code == 302, response.context["errors"]  # type: ignore[attr-defined]
        after = {
            s.code: (s.name, s.languages, s.legal_spheres, s.valid_to, s.public, s.step_free)
            for s in Service.objects.all()
        }
        assert after == before
        assert {
            s.code: sorted(t.key for t in s.topics.all()) for s in Service.objects.all()
        } == topics_before
        event = AuditEvent.objects.filter(event_type=EventType.DIRECTORY_IMPORTED).latest("id")
        assert event.extra["updated"] == len(SERVICES) and event.extra["created"] == 0
        assert len(event.extra["file_sha256"]) == 64


def test_a_traeger_manager_imports_own_entries_only(login_as: Callable[[str], Client]) -> None:
    client = login_as("traeger")
    jobcenter, jmd = _service(JOBCENTER), _service(JMD)
    own = jmd.provider.name
    rows = [
        CSV_HEADER,
        f"{jobcenter.code};Geändert;Jobcenter;Arbeit und Beruf;;;01.01.2024;;Quelle;ja",
        f"{jmd.code};JMD neu;{own};Migrationsberatung;;;01.01.2021;;Quelle;ja",
    ]
    response = _upload(client, "t.csv", "\n".join(rows).encode("utf-8"))
    errors = response.context["errors"]  # type: ignore[attr-defined]
    assert any(e.startswith("Zeile 2: ") for e in errors)
    assert _service(JOBCENTER).name == JOBCENTER
    ok = _upload(client, "t.csv", "\n".join([rows[0], rows[2]]).encode("utf-8"))
    assert ok.status_code == 302  # type: ignore[attr-defined]
    jmd.refresh_from_db()
    assert jmd.name == "JMD neu" and jmd.confirmed_on == timezone.localdate()


def test_the_template_is_importable(login_as: Callable[[str], Client]) -> None:
    client = login_as("koordination")
    template = client.get("/netzwerk/import/vorlage.csv")
    assert template.status_code == 200
    before = Service.objects.count()
    unfilled = _upload(client, "vorlage.csv", template.content)
    assert unfilled.context["errors"] == [  # type: ignore[attr-defined]
        "Zeile 2: – ist kein Anbieter, den Sie in diesem Kreis angeben dürfen."
    ]
    header, example = template.content.decode("utf-8-sig").strip().split("\r\n")
    cells = example.split(";")
    cells[3] = "Jobcenter"  # the provider, by its short name
    filled = "\r\n".join([header, ";".join(cells)]).encode("utf-8")
    assert _upload(client, "vorlage.csv", filled).status_code == 302  # type: ignore[attr-defined]
    assert Service.objects.count() == before + 1


# --- demo ---------------------------------------------------------------------------------------


def test_the_demo_is_idempotent_and_marked() -> None:
    before = (Service.objects.count(), ServiceText.objects.count())
    seed_directory()
    assert (Service.objects.count(), ServiceText.objects.count()) == before
    assert before[0] == len(SERVICES) and 12 <= len(SERVICES) <= 15
    assert all(s.source == "Demo-Daten, nicht geprüft" for s in Service.objects.all())
    assert Service.objects.filter(public=False).count() == 2
    with_texts = Service.objects.filter(public=True, texts__language="ar").distinct()
    assert with_texts.count() >= 3
    for entry in with_texts:
        assert {t.language for t in entry.texts.all()} >= {"en", "ar", "uk"}
