from django.urls import path

from kim.programmes.views import allocation, forecast, overview, payroll, positions

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
    path("stellen/<str:code>/ist-kosten/", payroll.cost_list, name="cost_list"),
    path("stellen/<str:code>/ist-kosten/neu/", payroll.cost_add, name="cost_add"),
    path("stellen/<str:code>/ist-kosten/export.<str:fmt>", payroll.cost_export, name="cost_export"),
    path("stellen/<str:code>/ist-kosten/<str:cost_code>/", payroll.cost_edit, name="cost_edit"),
    path(
        "stellen/<str:code>/ist-kosten/<str:cost_code>/loeschen/",
        payroll.cost_delete,
        name="cost_delete",
    ),
    path("ist-kosten/", payroll.payroll_home, name="payroll_home"),
    path("ist-kosten/<str:code>/", payroll.payroll_import, name="payroll_import"),
    path("ist-kosten/<str:code>/vorlage.csv", payroll.payroll_template, name="payroll_template"),
    path("bescheide/<str:code>/", payroll.grant_detail, name="grant_detail"),
    path("bescheide/<str:code>/zahlung/", payroll.grant_payment, name="grant_payment"),
    path("bescheide/<str:code>/frist/", payroll.grant_proof_due, name="grant_proof_due"),
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
