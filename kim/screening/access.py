"""The only door to the rows of uploaded screening lists.

- Uploaded lists are personal data of many people. Baustein-3 officers see and manage the
  lists of the authority they are a member of (the organisation of their B3 membership), and
  nobody else learns that a list exists: other roles, officers of another authority,
  administrators and the coordination get 404 on list and entry URLs, exactly like a missing
  list.
- The index and the upload page are not about one row: users without the role get 403.

Predicates are plain functions of a ``UserContext``; they run no queries.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from kim.accounts.access import UserContext
from kim.accounts.models import Role
from kim.organisations.models import Organisation
from kim.screening.models import LetterText, ScreeningEntry, ScreeningList


def can_use_screening(ctx: UserContext) -> bool:
    """Baustein-3 officers screen uploaded lists."""
    return ctx.has_role(Role.B3_OFFICER)


def screening_organisations(ctx: UserContext) -> frozenset[int]:
    """The authorities whose lists the user sees and manages."""
    return ctx.organisations_with_role(Role.B3_OFFICER)


def can_manage_list(ctx: UserContext, screening_list: ScreeningList) -> bool:
    """Whoever sees a list manages it: screening, export, letters, deletion."""
    return screening_list.organisation_id in screening_organisations(ctx)


def lists_for_user(ctx: UserContext) -> QuerySet[ScreeningList]:
    orgs = screening_organisations(ctx)
    if ctx.user_id is None or not orgs:
        return ScreeningList.objects.none()
    return ScreeningList.objects.filter(organisation_id__in=orgs)


def get_list_for_user(ctx: UserContext, code: str) -> ScreeningList:
    """The list (with its organisation), or 404."""
    screening_list = (
        lists_for_user(ctx).select_related("organisation", "uploaded_by").filter(code=code).first()
    )
    if screening_list is None:
        raise Http404("No such list")
    return screening_list


def get_entry_for_user(ctx: UserContext, list_code: str, row: int) -> ScreeningEntry:
    """One person of a list the user may see (the list preloaded), or 404."""
    entry = (
        ScreeningEntry.objects.filter(
            screening_list__in=lists_for_user(ctx), screening_list__code=list_code, row=row
        )
        .select_related("screening_list", "screening_list__organisation")
        .first()
    )
    if entry is None:
        raise Http404("No such entry")
    return entry


def authorities_for_upload(ctx: UserContext) -> QuerySet[Organisation]:
    """The authorities the user may upload a list for (usually exactly one)."""
    return Organisation.objects.filter(pk__in=screening_organisations(ctx)).order_by("name")


# Invitation letter texts (issue 19, D-092): the letters are the Ausländerbehörde's, but their
# wording and translations are entered by the Kreis' KIM coordination, like the consent form
# texts (one place per Kreis for certified translations). Everybody else gets 404.


def letter_text_region(ctx: UserContext) -> int | None:
    """The Kreis whose letter texts the user maintains (the coordination's; with several, the
    first by id), or None."""
    regions = ctx.regions_with_role(Role.KIM_COORDINATION)
    return min(regions) if regions else None


def letter_texts_for_user(ctx: UserContext) -> QuerySet[LetterText]:
    region = letter_text_region(ctx)
    if region is None:
        return LetterText.objects.none()
    return LetterText.objects.filter(Q(region_id=region) | Q(region__isnull=True))


def get_letter_text_for_user(ctx: UserContext, pk: int, *, edit: bool = False) -> LetterText:
    """A text the user may read (``edit``: one of the Kreis' own); 404 otherwise."""
    rows = letter_texts_for_user(ctx)
    if edit:
        rows = rows.filter(region__isnull=False)
    text = rows.filter(pk=pk).first()
    if text is None:
        raise Http404("No such text")
    return text


def get_letter_text_kreis(ctx: UserContext) -> Organisation:
    """The Kreis whose letter texts the user maintains, or 404 (the pages' door)."""
    region = letter_text_region(ctx)
    if region is None:
        raise Http404("No letter texts for this user")
    return Organisation.objects.get(pk=region)
