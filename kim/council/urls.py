from django.urls import path, register_converter
from django.views.generic import RedirectView

from kim.council.views import motions, records, reports


class ReportFormatConverter:
    """The download formats of a report (``render.FORMATS``); anything else is no URL (404)."""

    regex = "docx|pdf|html"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReportFormatConverter, "reportformat")

app_name = "council"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="council:motion_list"), name="home"),
    path("antraege/", motions.motion_list, name="motion_list"),
    path("antraege/neu/", motions.motion_create, name="motion_create"),
    path("antraege/<str:code>/", motions.motion_detail, name="motion_detail"),
    path("antraege/<str:code>/status/", motions.motion_status, name="motion_status"),
    path("antraege/<str:code>/fragen/neu/", motions.question_add, name="question_add"),
    path("antraege/<str:code>/freigabe/", motions.motion_release, name="motion_release"),
    path("antraege/<str:code>/dokumente/neu/", motions.file_upload, name="file_upload"),
    path("antraege/<str:code>/bericht/neu/", reports.report_create, name="report_create"),
    path("fragen/<str:code>/antwortbausteine/", motions.question_tag, name="question_tag"),
    path("dokumente/<str:code>/", motions.file_download, name="file_download"),
    path("berichte/", reports.report_list, name="report_list"),
    path("berichte/<str:code>/", reports.report_detail, name="report_detail"),
    path("berichte/<str:code>/bearbeiten/", reports.report_edit, name="report_edit"),
    path("berichte/<str:code>/fragen/<str:question>/", reports.section_edit, name="section_edit"),
    path(
        "berichte/<str:code>/entwurf.<reportformat:fmt>",
        reports.draft_download,
        name="draft_download",
    ),
    path(
        "berichte/<str:code>/entwurf/anlagen/<slug:key>.xlsx",
        reports.draft_attachment,
        name="draft_attachment",
    ),
    path("berichte/<str:code>/freigeben/", reports.report_release, name="report_release"),
    path(
        "berichte/<str:code>/versionen/<int:number>/",
        reports.release_detail,
        name="release_detail",
    ),
    path(
        "berichte/<str:code>/versionen/<int:number>.<reportformat:fmt>",
        reports.release_download,
        name="release_download",
    ),
    path(
        "berichte/<str:code>/versionen/<int:number>/anlagen/<slug:key>.xlsx",
        reports.release_attachment,
        name="release_attachment",
    ),
    path("sitzungen/", records.meeting_list, name="meeting_list"),
    path("sitzungen/neu/", records.meeting_create, name="meeting_create"),
    path("sitzungen/<str:code>/", records.meeting_detail, name="meeting_detail"),
    path(
        "sitzungen/<str:code>/tagesordnung/neu/",
        records.agenda_item_add,
        name="agenda_item_add",
    ),
    path("gremien/", records.organization_list, name="organization_list"),
    path("gremien/neu/", records.organization_create, name="organization_create"),
]
