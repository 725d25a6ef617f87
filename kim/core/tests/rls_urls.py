"""A deliberately unfiltered page, for kim/core/tests/test_rls.py only: it counts case and
screening rows without any access door, the mistake row-level security must catch."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path

from kim import urls as kim_urls
from kim.cases.models import Activity, Case, Person
from kim.screening.models import ScreeningEntry, ScreeningList


def unfiltered(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), array_agg(DISTINCT organisation_id) FROM cases_case")
        raw_count, raw_orgs = cursor.fetchone()
    return JsonResponse(
        {
            "cases": Case.objects.count(),
            "case_orgs": sorted(set(Case.objects.values_list("organisation_id", flat=True))),
            "persons": Person.objects.count(),
            "activities": Activity.objects.count(),
            "raw_cases": raw_count,
            "raw_orgs": sorted(raw_orgs or []),
            "lists": ScreeningList.objects.count(),
            "entries": ScreeningEntry.objects.count(),
        }
    )


# The platform's own URLs too: the middleware and the templates reverse them.
urlpatterns = [path("unfiltered/", unfiltered), *kim_urls.urlpatterns]
