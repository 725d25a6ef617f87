from django.urls import path
from django.views.generic import RedirectView

from kim.partners.views import agreements, calls, staffing, talks, traeger

app_name = "partners"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="partners:talk_list"), name="home"),
    path("traeger/", traeger.traeger_list, name="traeger_list"),
    path("traeger/<str:code>/", traeger.traeger_detail, name="traeger_detail"),
    path("traeger/<str:code>/angebote/neu/", traeger.service_add, name="service_add"),
    path("traeger/<str:code>/kontakte/neu/", traeger.contact_add, name="contact_add"),
    path("gespraeche/", talks.talk_list, name="talk_list"),
    path("gespraeche/export.<str:fmt>", talks.talk_export, name="talk_export"),
    path("gespraeche/neu/", talks.talk_create, name="talk_create"),
    path("gespraeche/<str:code>/", talks.talk_detail, name="talk_detail"),
    path("gespraeche/<str:code>/ergebnis/", talks.talk_outcome, name="talk_outcome"),
    path("gespraeche/<str:code>/protokoll/", talks.minutes_upload, name="minutes_upload"),
    path("gespraeche/<str:code>/aufgaben/neu/", talks.follow_up_add, name="follow_up_add"),
    path("protokolle/<str:code>/", talks.minutes_download, name="minutes_download"),
    path("aufgaben/<str:code>/erledigt/", talks.follow_up_done, name="follow_up_done"),
    path("vereinbarungen/", agreements.agreement_list, name="agreement_list"),
    path("vereinbarungen/neu/", agreements.agreement_create, name="agreement_create"),
    path("vereinbarungen/<str:code>/", agreements.agreement_detail, name="agreement_detail"),
    path("vereinbarungen/<str:code>/zahlungen/neu/", agreements.payment_add, name="payment_add"),
    path("vereinbarungen/<str:code>/berichte/neu/", agreements.duty_add, name="duty_add"),
    path("zahlungen/<str:code>/erledigt/", agreements.payment_done, name="payment_done"),
    path("berichte/<str:code>/eingang/", agreements.duty_received, name="duty_received"),
    path("berichte/<str:code>/pruefung/", agreements.duty_review, name="duty_review"),
    path("fristen/", agreements.deadlines, name="deadlines"),
    path("fristen/export.<str:fmt>", agreements.deadlines_export, name="deadlines_export"),
    path("interessenbekundungen/", calls.call_list, name="call_list"),
    path("interessenbekundungen/export.<str:fmt>", calls.call_export, name="call_export"),
    path("interessenbekundungen/neu/", calls.call_create, name="call_create"),
    path("interessenbekundungen/<str:code>/", calls.call_detail, name="call_detail"),
    path(
        "interessenbekundungen/<str:code>/kriterien/neu/",
        calls.criterion_add,
        name="criterion_add",
    ),
    path(
        "interessenbekundungen/<str:code>/veroeffentlichen/",
        calls.call_publish,
        name="call_publish",
    ),
    path(
        "interessenbekundungen/<str:code>/bewerbungen/neu/",
        calls.submission_create,
        name="submission_create",
    ),
    path("interessenbekundungen/<str:code>/entscheidung/", calls.call_decide, name="call_decide"),
    path("bewerbungen/<str:code>/", calls.submission_detail, name="submission_detail"),
    path(
        "bewerbungen/<str:code>/dokumente/neu/",
        calls.submission_document_add,
        name="submission_document_add",
    ),
    path(
        "bewerbungen/<str:code>/zurueckziehen/",
        calls.submission_withdraw,
        name="submission_withdraw",
    ),
    path("bewerbungen/<str:code>/bewerten/", calls.submission_score, name="submission_score"),
    path(
        "bewerbungsdokumente/<str:code>/",
        calls.submission_document_download,
        name="submission_document_download",
    ),
    path(
        "stellen/<str:position_code>/besetzungsentscheidung/",
        staffing.staffing_decision,
        name="staffing_decision",
    ),
]
