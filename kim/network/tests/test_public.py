"""The public page of the service network (``/hilfenetz/``, D-091): no login, only public
entries valid today, only the allowed fields, texts in the languages that have them."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kim.network.models import Service
from kim.network.public.queries import PUBLIC_FIELDS
from kim.network.tests.factories_public import clear_directory, kreis, service
from kim.organisations.models import Organisation, OrgKind

URL = "/hilfenetz/05970/"


class _Fields(HTMLParser):
    """Collects every ``data-field`` with its ``lang``, the content region's attributes and
    every ``lang`` element's text."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[dict[str, str | None]] = []
        self.region: dict[str, str | None] = {}
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        data = dict(attrs)
        if "data-field" in data:
            self.fields.append(data)
        if "data-content-region" in data:
            self.region = data
        if tag == "a" and data.get("href"):
            self.links.append(str(data["href"]))


def parse(html: str) -> _Fields:
    parser = _Fields()
    parser.feed(html)
    return parser


@pytest.fixture(autouse=True)
def _without_the_demo_directory(db: None) -> None:
    """The tests build their own entries: the demo directory (and the demo referrals to it)
    would otherwise be part of every page."""
    clear_directory()


@pytest.fixture
def anonymous() -> Client:
    return Client()


@pytest.mark.django_db
def test_signed_out_visitor_gets_the_page_and_the_index(anonymous: Client) -> None:
    service(name="Migrationsberatung Siegen")
    index = anonymous.get("/hilfenetz/")
    page = anonymous.get(URL)
    assert index.status_code == 200 and page.status_code == 200
    assert f'href="{URL}"' in index.content.decode()
    assert "Migrationsberatung Siegen" in page.content.decode()


@pytest.mark.django_db
def test_signed_in_user_without_mfa_is_let_through(login_as, settings) -> None:  # type: ignore[no-untyped-def]
    settings.KIM_REQUIRE_MFA = True
    service(name="Migrationsberatung Siegen")
    response = login_as("cm-siegen").get(URL)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]  # a session cookie may be refreshed


@pytest.mark.django_db
def test_only_public_entries_valid_today_of_this_kreis(anonymous: Client, stranger: Client) -> None:
    today = timezone.localdate()
    olpe = Organisation.objects.get(ags="05966")
    service(name="SICHTBAR-EINTRAG")
    service(name="INTERN-EINTRAG", public=False)
    service(name="ABGELAUFEN-EINTRAG", valid_to=today - dt.timedelta(days=1))
    service(name="KUENFTIG-EINTRAG", valid_from=today + dt.timedelta(days=1))
    service(name="OLPE-EINTRAG", region=olpe, provider=olpe)
    html = anonymous.get(URL).content.decode()
    assert "SICHTBAR-EINTRAG" in html
    for hidden in ("INTERN-EINTRAG", "ABGELAUFEN-EINTRAG", "KUENFTIG-EINTRAG", "OLPE-EINTRAG"):
        assert hidden not in html
    assert "OLPE-EINTRAG" in anonymous.get("/hilfenetz/05966/").content.decode()


@pytest.mark.django_db
def test_unknown_kreis_or_no_public_entry_is_404(anonymous: Client) -> None:
    assert anonymous.get("/hilfenetz/99999/").status_code == 404
    assert anonymous.get(URL).status_code == 404  # no public entry yet
    service(name="Intern", public=False)
    assert anonymous.get(URL).status_code == 404
    assert URL not in anonymous.get("/hilfenetz/").content.decode()


@pytest.mark.django_db
def test_shown_fields_are_the_allow_list_and_internal_markers_never_appear(
    anonymous: Client,
) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="koordination")  # for the *_by fields
    region = kreis()
    town = Organisation.objects.get(ags="05970040")  # Siegen
    provider = Organisation.objects.filter(region=region, kind="traeger").first()
    assert provider is not None
    marked = service(
        provider=provider,
        towns=(town,),
        topics=("work", "housing"),
        name="M-NAME",
        description="M-DESCRIPTION",
        address="M-ADDRESS",
        opening_hours="M-OPENING",
        languages=["ar", "uk"],
        accessibility="M-ACCESSIBILITY",
        step_free=True,
        appointment="M-APPOINTMENT",
        phone="0271 M-PHONE",
        email="m-email@example.org",
        website="https://m-website.example.org/",
        source="M-SOURCE-INTERNAL",
        legal_spheres=["sgb_ii"],
        confirmed_by=user,
        created_by=user,
        valid_to=timezone.localdate() + dt.timedelta(days=4000),
        version=987654,
    )
    response = anonymous.get(URL)
    html = response.content.decode()
    shown = {str(f["data-field"]) for f in parse(html).fields}
    assert shown <= PUBLIC_FIELDS
    assert shown == PUBLIC_FIELDS  # every allowed field of a full entry is shown
    for marker in ("M-SOURCE-INTERNAL", "987654", marked.code, "koordination", "sgb_ii"):
        assert marker not in html
    valid_to = marked.valid_to
    assert valid_to is not None
    assert valid_to.strftime("%d.%m.%Y") not in html
    assert marked.valid_from.strftime("%d.%m.%Y") not in html
    for visible in ("M-NAME", "M-DESCRIPTION", "M-ADDRESS", "M-OPENING", "M-APPOINTMENT"):
        assert visible in html
    assert "العربية" in html and "Arabisch" in html and "Siegen" in html
    # No link an anonymous visitor cannot follow: only this page, its index and the entry's
    # own contact links.
    for link in parse(html).links:
        assert link.startswith(("?", "/hilfenetz/", "#", "tel:", "mailto:", "https://m-website"))


@pytest.mark.django_db
def test_arabic_texts_rtl_and_german_fallback(anonymous: Client) -> None:
    service(
        name="Beratung Wohnen",
        description="Deutsche Beschreibung",
        opening_hours="Mo–Fr 9–12 Uhr",
        texts={"ar": {"name": "استشارة السكن", "description": "", "opening_hours": "الاثنين"}},
    )
    html = anonymous.get(URL + "?sprache=ar").content.decode()
    page = parse(html)
    assert page.region["lang"] == "ar" and page.region["dir"] == "rtl"
    by_field = {f["data-field"]: f for f in page.fields}
    assert "lang" not in by_field["name"]  # in the region's language
    assert by_field["description"]["lang"] == "de" and by_field["description"]["dir"] == "ltr"
    assert "lang" not in by_field["opening_hours"]
    assert "استشارة السكن" in html and "Deutsche Beschreibung" in html
    # German is the default; an unknown content language falls back to it.
    german = parse(anonymous.get(URL).content.decode())
    assert german.region["lang"] == "de" and german.region["dir"] == "ltr"
    assert parse(anonymous.get(URL + "?sprache=xx").content.decode()).region["lang"] == "de"


@pytest.mark.django_db
def test_language_offer_lists_exactly_the_languages_with_texts(anonymous: Client) -> None:
    service(name="A", texts={"ar": {"name": "أ"}, "uk": {"name": "А"}})
    service(name="B", texts={"uk": {"name": "Б"}})
    service(name="C", public=False, texts={"tr": {"name": "C-tr"}})
    html = anonymous.get(URL).content.decode()
    offered = {
        link.split("sprache=")[1].split("&")[0] for link in parse(html).links if "sprache=" in link
    }
    assert offered == {"ar", "uk"}
    assert 'hreflang="de"' in html  # German, to switch back


@pytest.mark.django_db
def test_filters_by_topic_town_language_and_text(anonymous: Client) -> None:
    siegen = Organisation.objects.get(ags="05970040")
    kreuztal = Organisation.objects.get(ags="05970024")
    service(name="WORK-SIEGEN", topics=("work",), towns=(siegen,), languages=["ar"])
    service(name="HOUSING-KREUZTAL", topics=("housing",), towns=(kreuztal,), languages=["uk"])

    def names(query: str) -> set[str]:
        html = anonymous.get(URL + query).content.decode()
        return {n for n in ("WORK-SIEGEN", "HOUSING-KREUZTAL") if n in html}

    assert names("") == {"WORK-SIEGEN", "HOUSING-KREUZTAL"}
    assert names("?thema=housing") == {"HOUSING-KREUZTAL"}
    assert names(f"?ort={siegen.code}") == {"WORK-SIEGEN"}
    assert names("?sprache_angebot=uk") == {"HOUSING-KREUZTAL"}
    assert names("?suche=work-sieg") == {"WORK-SIEGEN"}
    assert names("?thema=nonsense") == {"WORK-SIEGEN", "HOUSING-KREUZTAL"}  # ignored


@pytest.mark.django_db
def test_cache_headers_and_no_cookie(anonymous: Client) -> None:
    service(name="X")
    response = anonymous.get(URL)
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    vary = {v.strip().lower() for v in response["Vary"].split(",")}
    assert {"accept-language", "cookie"} <= vary
    assert not response.cookies  # nothing on the page sets a cookie (no CSRF token)


@pytest.mark.django_db
def test_english_ui_by_link(anonymous: Client) -> None:
    service(name="X", opening_hours="Mo")
    german = anonymous.get(URL).content.decode()
    english = anonymous.get(URL + "?ui=en").content.decode()
    assert '<html lang="de">' in german and "Öffnungszeiten" in german
    assert '<html lang="en">' in english and "Opening hours" in english
    assert 'href="?ui=en"' in german
    assert 'href="/hilfenetz/"' in german and 'href="/hilfenetz/?ui=en"' in english
    assert anonymous.get(URL + "?ui=en")["Content-Language"] == "en"


@pytest.mark.django_db
def test_query_count_is_flat(anonymous: Client, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    siegen = Organisation.objects.get(ags="05970040")

    def make(count: int) -> None:
        for i in range(count):
            service(
                name=f"S{i}",
                topics=("work", "housing"),
                towns=(siegen,),
                texts={"ar": {"name": f"ع{i}"}},
            )

    make(5)
    anonymous.get(URL + "?sprache=ar")  # warm caches (content types, sites)
    with CaptureQueriesContext(connection) as few:
        assert anonymous.get(URL + "?sprache=ar").status_code == 200
    make(35)
    with django_assert_num_queries(len(few.captured_queries)):
        html = anonymous.get(URL + "?sprache=ar").content.decode()
    assert html.count('data-field="name"') == 40
    assert Service.objects.filter(public=True).count() >= 40


def test_index_query_count_is_flat(anonymous: Client, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    """The index lists the Kreise with public entries in one query, however many there are."""

    def kreis_with_entry(ags: str, name: str) -> None:
        region = Organisation.objects.create(kind=OrgKind.KREIS, name=name, ags=ags)
        service(region=region, name=f"Beratung {name}")

    kreis_with_entry("05966", "Kreis Olpe")
    anonymous.get("/hilfenetz/")  # warm caches (content types, sites)
    with CaptureQueriesContext(connection) as few:
        assert anonymous.get("/hilfenetz/").status_code == 200
    for ags, name in (("05962", "Märkischer Kreis"), ("05958", "Hochsauerlandkreis")):
        kreis_with_entry(ags, name)
    with django_assert_num_queries(len(few.captured_queries)):
        html = anonymous.get("/hilfenetz/").content.decode()
    for ags in ("05966", "05962", "05958"):
        assert f'href="/hilfenetz/{ags}/' in html
