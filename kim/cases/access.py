"""The only door to case rows for views, the API and exports (docs/permissions.md § Cases).

- A case is visible to its responsible case manager, their deputies (both must hold the
  case-manager role in the case's organisation) and the team leads of that organisation.
  Nobody else learns that it exists: not the coordination, not administrators, not case
  managers of another town or of a welfare agency (404, exactly like a missing case).
- The responsible case manager and the deputies work on an open case (edit, disclose, close);
  the team lead reads, exports and reassigns. A closed case is read-only.
- Confidential notes are visible to the responsible case manager only – on the page and in the
  Art. 15 export (``visible_activities``; decisions D-049).
- The KIM coordination (and a town's programme lead for its town) sees aggregates only:
  counts per phase and the anonymised barrier log.

Predicates are plain functions of a ``UserContext`` and a case loaded through
``get_case_for_user`` (which also loads the deputies); they run no queries.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from kim.accounts.access import UserContext, is_administrator
from kim.accounts.models import Role
from kim.cases.models import (
    Activity,
    Case,
    CaseDocument,
    Consent,
    ConsentDocument,
    ConsentFormText,
    InterpreterBooking,
    Person,
)
from kim.organisations.models import Organisation


class CaseRole(StrEnum):
    RESPONSIBLE = "responsible"
    DEPUTY = "deputy"
    TEAM_LEAD = "team_lead"


def case_manager_organisations(ctx: UserContext) -> frozenset[int]:
    return ctx.organisations_with_role(Role.CASE_MANAGER)


def can_open_cases(ctx: UserContext) -> bool:
    """Only case managers open cases (in the organisation they work for)."""
    return bool(case_manager_organisations(ctx))


def can_use_cases(ctx: UserContext) -> bool:
    """Whether the case-management area appears in the navigation at all."""
    return ctx.has_role(Role.CASE_MANAGER, Role.TEAM_LEAD)


def cases_for_user(ctx: UserContext) -> QuerySet[Case]:
    """The cases the user may see. No join on deputies (no duplicates, no DISTINCT)."""
    if ctx.user_id is None:
        return Case.objects.none()
    cm_orgs = case_manager_organisations(ctx)
    lead_orgs = ctx.organisations_with_role(Role.TEAM_LEAD)
    if not (cm_orgs or lead_orgs):
        return Case.objects.none()
    is_deputy = Exists(
        Case.deputies.through._default_manager.filter(case_id=OuterRef("pk"), user_id=ctx.user_id)
    )
    own = Q(organisation_id__in=cm_orgs) & (Q(responsible_id=ctx.user_id) | Q(is_deputy))
    return Case.objects.filter(own | Q(organisation_id__in=lead_orgs))


def get_case_for_user(ctx: UserContext, code: str) -> Case:
    """The case with its person, or 404. Loads the deputies' ids for the predicates."""
    case = (
        cases_for_user(ctx)
        .select_related("person", "organisation", "responsible")
        .filter(code=code)
        .first()
    )
    if case is None:
        raise Http404("No such case")
    case.deputy_ids = frozenset(  # type: ignore[attr-defined]
        Case.deputies.through._default_manager.filter(case_id=case.pk).values_list(
            "user_id", flat=True
        )
    )
    return case


def load_deputy_ids(cases: list[Case]) -> list[Case]:
    """Load the deputies' ids of several cases (one query) for the predicates, as
    ``get_case_for_user`` does for one."""
    ids: dict[int, set[int]] = {case.pk: set() for case in cases}
    rows = Case.deputies.through._default_manager.filter(case_id__in=list(ids)).values_list(
        "case_id", "user_id"
    )
    for case_id, user_id in rows:
        ids[case_id].add(user_id)
    for case in cases:
        case.deputy_ids = frozenset(ids[case.pk])  # type: ignore[attr-defined]
    return cases


def _deputy_ids(case: Case) -> frozenset[int]:
    ids = getattr(case, "deputy_ids", None)
    if ids is None:
        raise RuntimeError("Load cases through get_case_for_user before asking predicates.")
    return frozenset(ids)


def case_role(ctx: UserContext, case: Case) -> CaseRole | None:
    if ctx.user_id is None:
        return None
    if case.organisation_id in case_manager_organisations(ctx):
        if case.responsible_id == ctx.user_id:
            return CaseRole.RESPONSIBLE
        if ctx.user_id in _deputy_ids(case):
            return CaseRole.DEPUTY
    if case.organisation_id in ctx.organisations_with_role(Role.TEAM_LEAD):
        return CaseRole.TEAM_LEAD
    return None


def can_view_case(ctx: UserContext, case: Case) -> bool:
    return case_role(ctx, case) is not None


def _works_on(ctx: UserContext, case: Case) -> bool:
    return case_role(ctx, case) in (CaseRole.RESPONSIBLE, CaseRole.DEPUTY)


def can_edit_case(ctx: UserContext, case: Case) -> bool:
    return _works_on(ctx, case) and not case.is_closed


def can_disclose(ctx: UserContext, case: Case) -> bool:
    return _works_on(ctx, case) and not case.is_closed


def can_close_case(ctx: UserContext, case: Case) -> bool:
    return _works_on(ctx, case) and not case.is_closed


def can_export_case(ctx: UserContext, case: Case) -> bool:
    """Art. 15 export of the person's data: whoever may see the case (after re-authentication)."""
    return can_view_case(ctx, case)


def can_assign_case(ctx: UserContext, case: Case) -> bool:
    """Team leads change the responsible case manager; the responsible one names deputies."""
    return case_role(ctx, case) in (CaseRole.TEAM_LEAD, CaseRole.RESPONSIBLE)


def can_screen_client(ctx: UserContext, case: Case) -> bool:
    """Baustein-3 screening of the person (``kim.screening.clients``): the responsible case
    manager and the deputies, not the team lead. The screening page also needs an active
    screening consent of the person."""
    return case_role(ctx, case) in (CaseRole.RESPONSIBLE, CaseRole.DEPUTY)


def can_read_confidential(ctx: UserContext, case: Case) -> bool:
    return case_role(ctx, case) == CaseRole.RESPONSIBLE


def can_erase_person(ctx: UserContext, case: Case) -> bool:
    """Erasure on request: the responsible case manager or the team lead."""
    return case_role(ctx, case) in (CaseRole.RESPONSIBLE, CaseRole.TEAM_LEAD)


def can_set_legal_hold(ctx: UserContext, case: Case) -> bool:
    return case_role(ctx, case) == CaseRole.TEAM_LEAD


def visible_activities(ctx: UserContext, case: Case) -> QuerySet[Activity]:
    """The case's activities; confidential notes only for the responsible case manager."""
    qs = Activity.objects.filter(case=case)
    if not can_read_confidential(ctx, case):
        qs = qs.filter(confidential=False)
    return qs


def persons_for_user(ctx: UserContext) -> QuerySet[Person]:
    """Persons with at least one case the user may see."""
    return Person.objects.filter(Exists(cases_for_user(ctx).filter(person_id=OuterRef("pk"))))


def get_case_document_for_user(ctx: UserContext, case_code: str, code: str) -> CaseDocument:
    case = get_case_for_user(ctx, case_code)
    document = CaseDocument.objects.filter(case=case, code=code).first()
    if document is None:
        raise Http404("No such document")
    document.case = case
    return document


def get_consent_for_user(ctx: UserContext, case_code: str, code: str) -> tuple[Case, Consent]:
    case = get_case_for_user(ctx, case_code)
    consent = Consent.objects.filter(person_id=case.person_id, code=code).first()
    if consent is None:
        raise Http404("No such consent")
    return case, consent


def get_consent_document_for_user(
    ctx: UserContext, case_code: str, consent_code: str, code: str
) -> tuple[Case, ConsentDocument]:
    case, consent = get_consent_for_user(ctx, case_code, consent_code)
    document = ConsentDocument.objects.filter(consent=consent, code=code).first()
    if document is None:
        raise Http404("No such document")
    return case, document


def bookings_for_user(ctx: UserContext) -> QuerySet[InterpreterBooking]:
    """Interpreter bookings of the cases the user may see (the monthly list, D-093): a case
    manager's own and deputised cases, a team lead's whole organisation."""
    return InterpreterBooking.objects.filter(case__in=cases_for_user(ctx))


def get_booking_for_user(
    ctx: UserContext, case_code: str, code: str
) -> tuple[Case, InterpreterBooking]:
    case = get_case_for_user(ctx, case_code)
    booking = InterpreterBooking.objects.filter(case=case, code=code).first()
    if booking is None:
        raise Http404("No such booking")
    booking.case = case
    return case, booking


def aggregate_regions(ctx: UserContext) -> frozenset[int]:
    """Kreise whose case statistics and barrier log the user may see (aggregates only)."""
    return ctx.regions_with_role(Role.KIM_COORDINATION)


def can_view_case_statistics(ctx: UserContext) -> bool:
    return bool(aggregate_regions(ctx)) or ctx.has_role(Role.PROGRAMME_LEAD, Role.TEAM_LEAD)


def can_view_barrier_log(ctx: UserContext) -> bool:
    return is_administrator(ctx) or ctx.has_role(
        Role.KIM_COORDINATION, Role.PROGRAMME_LEAD, Role.TEAM_LEAD
    )


# Consent form texts (issue 19, D-092): entered by the Kreis' KIM coordination; everybody
# else gets 404 on these pages. The platform defaults (region empty) are read-only for all.


def form_text_region(ctx: UserContext) -> int | None:
    """The Kreis whose consent form texts the user maintains (the coordination's; with
    several, the first by id), or None."""
    regions = ctx.regions_with_role(Role.KIM_COORDINATION)
    return min(regions) if regions else None


def can_maintain_form_texts(ctx: UserContext) -> bool:
    return form_text_region(ctx) is not None


def form_texts_for_user(ctx: UserContext) -> QuerySet[ConsentFormText]:
    """The Kreis' own texts and the platform defaults, for the coordination; none else."""
    region = form_text_region(ctx)
    if region is None:
        return ConsentFormText.objects.none()
    return ConsentFormText.objects.filter(Q(region_id=region) | Q(region__isnull=True))


def get_form_text_for_user(ctx: UserContext, pk: int, *, edit: bool = False) -> ConsentFormText:
    """A text the user may read (``edit``: one of the Kreis' own); 404 otherwise."""
    rows = form_texts_for_user(ctx)
    if edit:
        rows = rows.filter(region__isnull=False)
    text = rows.filter(pk=pk).first()
    if text is None:
        raise Http404("No such text")
    return text


def get_form_text_kreis(ctx: UserContext) -> Organisation:
    """The Kreis whose texts the user maintains, or 404 (the pages' door)."""
    region = form_text_region(ctx)
    if region is None:
        raise Http404("No consent form texts for this user")
    return Organisation.objects.get(pk=region)
