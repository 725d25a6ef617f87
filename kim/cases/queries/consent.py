"""Read side of consent and disclosure: the case page's sections (consents, referrals and
conferences, barriers), choices for the forms, the printable consent form and the case summary.

Rows are looked up only below a case that ``kim.cases.access.get_case_for_user`` returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.staticfiles import finders
from django.db.models import Q, QuerySet
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from kim.accounts.access import UserContext
from kim.cases.access import can_disclose, can_edit_case, can_screen_client
from kim.cases.actions.referrals import REFERRAL_MOVES
from kim.cases.models import (
    Barrier,
    BarrierCategory,
    BenefitPeriod,
    Case,
    CaseConference,
    CaseDocument,
    Consent,
    ConsentFormText,
    ConsentScope,
    DataCategory,
    Disclosure,
    Goal,
    HouseholdLink,
    Referral,
    ResidencePeriod,
)
from kim.core import languages
from kim.core.pdf import html_to_pdf
from kim.network import access as network_access
from kim.network.models import Service
from kim.organisations.models import Organisation

PRINT_CSS = "cases/print.css"


@dataclass(frozen=True)
class ConsentRow:
    consent: Consent
    active: bool
    category_labels: list[str]


def consent_rows(case: Case, day: dt.date) -> list[ConsentRow]:
    consents = (
        Consent.objects.filter(person_id=case.person_id)
        .select_related("recipient")
        .prefetch_related("documents")
    )
    return [
        ConsentRow(
            c,
            c.is_active_on(day),
            [str(DataCategory(k).label) for k in c.categories if k in DataCategory.values],
        )
        for c in consents
    ]


def consent_context(ctx: UserContext, case: Case) -> dict[str, Any]:
    """What the case page shows of consents, referrals/conferences/disclosures and barriers
    (partials ``cases/_consents.html``, ``cases/_referrals.html``, ``cases/_barriers.html``).
    Seven queries, whatever the number of rows."""
    today = timezone.localdate()
    referrals = Referral.objects.filter(case=case).select_related("recipient", "goal", "service")
    rows = consent_rows(case, today)
    screening_consent = any(r.active and r.consent.scope == ConsentScope.SCREENING for r in rows)
    return {
        "consent_rows": rows,
        "referral_rows": [
            (r, REFERRAL_MOVES.get(r.status, ()), service_link(ctx, r.service)) for r in referrals
        ],
        "conference_list": CaseConference.objects.filter(case=case).prefetch_related(
            "participants"
        ),
        "disclosure_list": Disclosure.objects.filter(case=case).select_related(
            "recipient", "disclosed_by", "referral__service"
        ),
        "barrier_list": Barrier.objects.filter(case=case).select_related(
            "category", "organisation_involved"
        ),
        "may_disclose": can_disclose(ctx, case),
        "may_edit_consents": can_edit_case(ctx, case),
        # The screening page's door (kim.screening.clients.get_client_for_screening): the
        # case's own case managers, with an active screening consent of the person.
        "may_screen": can_screen_client(ctx, case) and screening_consent,
    }


# --------------------------------------------------------------------------------------------
# Choices and lookups below a case
# --------------------------------------------------------------------------------------------


def recipient_choices(case: Case) -> QuerySet[Organisation]:
    """Partner organisations of the case's region (the Kreis itself, its towns, authorities
    and welfare agencies), without the case's own organisation."""
    region_id = case.organisation.region_id_or_self
    return (
        Organisation.objects.filter(Q(pk=region_id) | Q(region_id=region_id))
        .exclude(pk=case.organisation_id)
        .order_by("name")
    )


def referral_services(case: Case, day: dt.date) -> QuerySet[Service]:
    """Services of the case's Kreis valid on ``day`` that a referral may name (D-091)."""
    region_id = case.organisation.region_id_or_self
    if region_id is None:
        return Service.objects.none()
    return network_access.services_for_referral(region_id, day)


def get_recipient(case: Case, code: str) -> Organisation:
    recipient = recipient_choices(case).filter(code=code).first()
    if recipient is None:
        raise Http404("No such recipient")
    return recipient


def get_consent_with_case(case: Case, code: str) -> Consent:
    consent = Consent.objects.select_related("recipient").filter(
        person_id=case.person_id, code=code
    )
    found = consent.first()
    if found is None:
        raise Http404("No such consent")
    return found


def service_link(ctx: UserContext, service: Service | None) -> str:
    """The directory page of a referral's service, if the user may open it (same Kreis) and
    the directory's pages are installed; else "" (the name is shown without a link)."""
    if service is None or not network_access.can_view_service(ctx, service):
        return ""
    try:
        return reverse("network:service_detail", args=[service.code])
    except NoReverseMatch:
        return ""


def get_referral(case: Case, code: str) -> Referral:
    referral = (
        Referral.objects.select_related("recipient", "service").filter(case=case, code=code).first()
    )
    if referral is None:
        raise Http404("No such referral")
    referral.case = case
    return referral


def case_documents(case: Case) -> QuerySet[CaseDocument]:
    return CaseDocument.objects.filter(case=case).order_by("-uploaded_at")


def case_goals(case: Case) -> QuerySet[Goal]:
    return Goal.objects.filter(case=case)


def barrier_categories(day: dt.date) -> QuerySet[BarrierCategory]:
    return BarrierCategory.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day
    )


# --------------------------------------------------------------------------------------------
# Printed documents: the consent form and the case summary
# --------------------------------------------------------------------------------------------


def print_css() -> str:
    path = finders.find(PRINT_CSS)
    if not path or isinstance(path, list):
        return ""
    with open(path, encoding="utf-8") as handle:
        return handle.read()


UNTIL_REVOKED = {
    "de": "auf Widerruf",
    "en": "revoked",
    "ar": "حين سحبها",
    "uk": "її відкликання",
}
DEMO_MARK = "Demo-Text – keine geprüfte Übersetzung"
PLACEHOLDERS = ("person", "organisation", "recipient", "purpose", "categories", "valid_until")


@dataclass(frozen=True)
class FilledForm:
    language: str
    title: str
    body: str
    place_date_label: str = ""
    signature_label: str = ""
    binding_note: str = ""
    certified_by: str = ""
    is_demo: bool = False

    @property
    def direction(self) -> str:
        return languages.direction(self.language)

    @property
    def is_rtl(self) -> bool:
        return languages.is_rtl(self.language)

    @property
    def language_name_de(self) -> str:
        language = languages.get(self.language)
        return language.name_de if language else self.language

    @property
    def autonym(self) -> str:
        return languages.autonym(self.language)

    @property
    def heading(self) -> str:
        """“Übersetzung: Arabisch – العربية” (the German name, then the language's own)."""
        return f"Übersetzung: {self.language_name_de} – {self.autonym}"


def _valid_on(day: dt.date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def form_texts(region_id: int | None, day: dt.date) -> dict[str, ConsentFormText]:
    """The text valid on ``day`` per language for a Kreis: its own text, else the platform
    default (region empty). One query."""
    found: dict[str, ConsentFormText] = {}
    rows = (
        ConsentFormText.objects.filter(_valid_on(day))
        .filter(Q(region__isnull=True) | Q(region_id=region_id))
        .order_by("language", "-valid_from")
    )
    for text in rows:
        current = found.get(text.language)
        if current is None or (current.region_id is None and text.region_id is not None):
            found[text.language] = text
    return found


def form_text(language: str, day: dt.date, region_id: int | None = None) -> ConsentFormText | None:
    return form_texts(region_id, day).get(language)


def form_language_choices(region_id: int | None, day: dt.date) -> list[tuple[str, str]]:
    """The languages with a consent text for the Kreis (German first), as (code, name)."""
    have = set(form_texts(region_id, day))
    return [(code, name) for code, name in languages.choices() if code in have]


def preferred_form_language(case: Case, available: Iterable[str]) -> str:
    """The person's first recorded language with a text, else German."""
    return languages.preferred(case.person.languages or [], available) or "de"


def _labels(text: ConsentFormText) -> tuple[str, str]:
    if text.place_date_label and text.signature_label:
        return text.place_date_label, text.signature_label
    with translation.override(text.language if text.language in ("de", "en") else "de"):
        return (
            text.place_date_label or str(_("Place, date")),
            text.signature_label or str(_("Signature")),
        )


def fill_form(text: ConsentFormText, values: dict[str, str], categories: list[str]) -> FilledForm:
    """Put the values into the placeholders; category names in the form's own language where
    the platform has it (German and English), else in German."""
    ui = text.language if text.language in ("de", "en") else "de"
    with translation.override(ui):
        labels = "\n".join(f"– {DataCategory(c).label}" for c in categories)
    until = values.get("valid_until") or UNTIL_REVOKED.get(text.language, "—")

    class _Safe(dict[str, str]):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    body = text.body.format_map(_Safe(values, categories=labels, valid_until=until))
    place, signature = _labels(text)
    return FilledForm(
        text.language,
        text.title,
        body,
        place_date_label=place,
        signature_label=signature,
        binding_note=text.binding_note if text.language != "de" else "",
        certified_by=text.certified_by,
        is_demo=text.is_demo,
    )


def consent_forms(
    case: Case,
    *,
    recipient: Organisation,
    purpose: str,
    categories: list[str],
    valid_until: dt.date | None,
    language: str,
) -> list[FilledForm]:
    """The binding German form, followed by the translation in ``language`` if the case's
    Kreis (or the platform) has one."""
    texts = form_texts(case.organisation.region_id_or_self, timezone.localdate())
    values = {
        "person": case.person.display_name,
        "organisation": case.organisation.name,
        "recipient": recipient.name,
        "purpose": purpose,
        "valid_until": formats.date_format(valid_until, "SHORT_DATE_FORMAT") if valid_until else "",
    }
    return [
        fill_form(texts[lang], values, categories)
        for lang in dict.fromkeys(["de", language])
        if lang in texts
    ]


@dataclass(frozen=True)
class FormTextRow:
    text: ConsentFormText
    language_name: str
    autonym: str
    current: bool  # the text printed today for the Kreis
    own: bool  # the Kreis' text (editable), not the platform default


def form_text_rows(rows: QuerySet[ConsentFormText], day: dt.date) -> list[FormTextRow]:
    """The coordination's list: the Kreis' texts and the platform defaults, by language
    (German first), newest first. One query."""
    texts = list(rows.order_by("language", "region_id", "-valid_from"))
    current: dict[str, ConsentFormText] = {}
    for text in texts:
        if text.valid_from <= day and (text.valid_to is None or text.valid_to >= day):
            known = current.get(text.language)
            if known is None or (known.region_id is None and text.region_id is not None):
                current[text.language] = text
    order = {code: index for index, (code, _name) in enumerate(languages.choices())}
    texts.sort(
        key=lambda t: (order.get(t.language, 999), t.region_id is None, -t.valid_from.toordinal())
    )
    return [
        FormTextRow(
            t,
            languages.name(t.language),
            languages.autonym(t.language),
            current.get(t.language) is t,
            t.region_id is not None,
        )
        for t in texts
    ]


PREVIEW_VALUES = {
    "person": "Erika Mustermann",
    "organisation": "Stadt Musterstadt – KIM Case Management",
    "recipient": "Jobcenter Musterkreis",
    "purpose": "Vermittlung in einen Sprachkurs",
    "valid_until": "",
}


def preview_forms(text: ConsentFormText, region_id: int, day: dt.date) -> list[FilledForm]:
    """The German text valid for the Kreis today, then ``text`` (if not German), with example
    values."""
    categories = [str(DataCategory.MASTER_DATA), str(DataCategory.PLAN)]
    german = text if text.language == "de" else form_texts(region_id, day).get("de")
    forms = [fill_form(german, PREVIEW_VALUES, categories)] if german else []
    if text.language != "de":
        forms.append(fill_form(text, PREVIEW_VALUES, categories))
    return forms


def _summary_sections(case: Case, categories: Iterable[str]) -> dict[str, Any]:
    """Only what the consented categories name; nothing is loaded for the others."""
    cats = set(categories)
    person = case.person
    sections: dict[str, Any] = {"categories": [DataCategory(c).label for c in categories]}
    if DataCategory.MASTER_DATA in cats:
        sections["master"] = person
    if DataCategory.CONTACT in cats:
        sections["contact"] = {"phone": person.phone, "email": person.email}
    if DataCategory.RESIDENCE in cats:
        sections["residence"] = list(ResidencePeriod.objects.filter(person=person))
    if DataCategory.BENEFITS in cats:
        sections["benefits"] = list(
            BenefitPeriod.objects.filter(person=person).select_related("authority")
        )
    if DataCategory.ASSESSMENT in cats:
        sections["assessment"] = list(case.assessment.select_related("life_area"))
    if DataCategory.PLAN in cats:
        sections["goals"] = list(
            case.goals.select_related("life_area").prefetch_related("measures")
        )
    if DataCategory.HEALTH in cats:
        sections["health"] = person.special_categories or ""
    if DataCategory.FAMILY in cats:
        sections["family"] = list(
            HouseholdLink.objects.filter(person=person).select_related("other")
        )
    if DataCategory.DOCUMENTS in cats:
        sections["documents"] = list(case_documents(case))
    return sections


def summary_html(case: Case, recipient: Organisation, categories: list[str]) -> str:
    context = {
        "case": case,
        "recipient": recipient,
        "today": timezone.localdate(),
        "inline_css": print_css(),
        **_summary_sections(case, categories),
    }
    return render_to_string("cases/summary_pdf.html", context)


def summary_pdf(case: Case, recipient: Organisation, categories: list[str]) -> bytes:
    return html_to_pdf(summary_html(case, recipient, categories))
