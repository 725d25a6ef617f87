"""API v1 routes; every app contributes its ``api.py`` views here."""

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView

from kim.organisations import api as organisations_api

urlpatterns = [
    path("schema.json", SpectacularJSONAPIView.as_view(), name="api-schema"),
    path("organisations/", organisations_api.organisation_list, name="api-organisations"),
    path(
        "organisations/<str:code>/", organisations_api.organisation_detail, name="api-organisation"
    ),
]
