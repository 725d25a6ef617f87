from django.urls import path

from kim.programmes.views import allocation, forecast, overview, positions

app_name = "programmes"
urlpatterns = [
    path("", overview.programme_home, name="home"),
    path("saetze/", overview.reference, name="reference"),
    path("stellen/", positions.position_list, name="position_list"),
    path("stellen/export.<str:fmt>", positions.position_export, name="position_export"),
    path("stellen/neu/", positions.position_create, name="position_create"),
    path("stellen/<str:code>/", positions.position_detail, name="position_detail"),
    path("stellen/<str:code>/bearbeiten/", positions.position_edit, name="position_edit"),
    path("stellen/<str:code>/status/", positions.position_status, name="position_status"),
    path("stellen/<str:code>/besetzung/", positions.position_incumbent, name="position_incumbent"),
    path(
        "stellen/<str:code>/besetzung/<int:incumbency_id>/ende/",
        positions.incumbency_end,
        name="incumbency_end",
    ),
    path(
        "stellen/<str:code>/personal/<str:staff_code>/qualifikation/",
        positions.staff_qualification,
        name="staff_qualification",
    ),
    path("stellen/<str:code>/finanzierung/", positions.position_funding, name="position_funding"),
    path("szenarien/<str:code>/", allocation.scenario_detail, name="scenario_detail"),
    path("szenarien/<str:code>/beschliessen/", allocation.scenario_adopt, name="scenario_adopt"),
    path("organisation/<str:code>/", overview.town_overview, name="town_overview"),
    path("<str:code>/", overview.overview, name="overview"),
    path("<str:code>/bescheide/neu/", overview.grant_create, name="grant_create"),
    path("<str:code>/verteilung/", allocation.allocation_list, name="allocation_list"),
    path("<str:code>/verteilung/vergleich/", allocation.scenario_compare, name="scenario_compare"),
    path("<str:code>/prognose/", forecast.forecast, name="forecast"),
    path("<str:code>/prognose/export.<str:fmt>", forecast.forecast_export, name="forecast_export"),
]
