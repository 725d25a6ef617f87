"""URLs of the Sachbericht of a proof of use: ``/verwendungsnachweis/<proof>/sachbericht/…``.

Included under ``verwendungsnachweis/`` (namespace ``sachbericht``, decisions D-087).
"""

from django.urls import path, register_converter

from kim.proofs.sachbericht import views


class SachberichtFormatConverter:
    regex = "docx|pdf"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SachberichtFormatConverter, "sachberichtformat")

app_name = "sachbericht"
urlpatterns = [
    path("<str:code>/sachbericht/", views.sachbericht_detail, name="detail"),
    path("<str:code>/sachbericht/abschnitte/<slug:key>/", views.section_edit, name="section_edit"),
    path(
        "<str:code>/sachbericht/entwurf.<sachberichtformat:fmt>",
        views.draft_download,
        name="draft_download",
    ),
    path("<str:code>/sachbericht/freigeben/", views.release, name="release"),
    path(
        "<str:code>/sachbericht/versionen/<int:number>/",
        views.release_detail,
        name="release_detail",
    ),
    path(
        "<str:code>/sachbericht/versionen/<int:number>.<sachberichtformat:fmt>",
        views.release_download,
        name="release_download",
    ),
]
