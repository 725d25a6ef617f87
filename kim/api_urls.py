"""API v1 routes; every app contributes its ``api.py`` views here."""

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView

from kim.cases import api as cases_api
from kim.cases.statistics import api as statistics_api
from kim.organisations import api as organisations_api
from kim.partners import api as partners_api
from kim.programmes import api as programmes_api
from kim.steering import api as steering_api

urlpatterns = [
    path("schema.json", SpectacularJSONAPIView.as_view(), name="api-schema"),
    path("organisations/", organisations_api.organisation_list, name="api-organisations"),
    path(
        "organisations/<str:code>/", organisations_api.organisation_detail, name="api-organisation"
    ),
    path("positions/", programmes_api.position_list, name="api-positions"),
    path("positions/<str:code>/", programmes_api.position_detail, name="api-position"),
    path("funding-rates/", programmes_api.funding_rate_list, name="api-funding-rates"),
    path(
        "programmes/<str:code>/allocation/",
        programmes_api.allocation_preview,
        name="api-programme-allocation",
    ),
    path(
        "programmes/<str:code>/scenarios/",
        programmes_api.scenario_list,
        name="api-programme-scenarios",
    ),
    path("programmes/<str:code>/forecast/", programmes_api.forecast, name="api-programme-forecast"),
    path("partners/talks/", partners_api.talk_list, name="api-partners-talks"),
    path("partners/talks/<str:code>/", partners_api.talk_detail, name="api-partners-talk"),
    path("partners/agreements/", partners_api.agreement_list, name="api-partners-agreements"),
    path(
        "partners/agreements/<str:code>/",
        partners_api.agreement_detail,
        name="api-partners-agreement",
    ),
    path("partners/calls/", partners_api.call_list, name="api-partners-calls"),
    path("partners/calls/<str:code>/", partners_api.call_detail, name="api-partners-call"),
    path("cases/", cases_api.case_list, name="api-cases"),
    path("cases/<str:code>/", cases_api.case_detail, name="api-case"),
    path("statistics/cases/", statistics_api.case_statistics, name="api-statistics-cases"),
    path("steering/topics/", steering_api.topic_list, name="api-steering-topics"),
    path("steering/topics/<str:code>/", steering_api.topic_detail, name="api-steering-topic"),
]
