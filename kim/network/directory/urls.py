"""URLs of the directory (under ``/netzwerk/``, namespace ``network``)."""

from django.urls import URLPattern, URLResolver, path

from kim.network.directory import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.service_list, name="service_list"),
    path("export.<str:fmt>", views.service_export, name="service_export"),
    path("import/", views.service_import, name="service_import"),
    path("import/vorlage.csv", views.import_template, name="import_template"),
    path("themen/", views.topic_list, name="topic_list"),
    path("themen/neu/", views.topic_add, name="topic_add"),
    path("angebote/neu/", views.service_create, name="service_create"),
    path("angebote/<str:code>/", views.service_detail, name="service_detail"),
    path("angebote/<str:code>/bearbeiten/", views.service_edit, name="service_edit"),
    path("angebote/<str:code>/bestaetigen/", views.service_confirm, name="service_confirm"),
    path("angebote/<str:code>/beenden/", views.service_end, name="service_end"),
    path("angebote/<str:code>/loeschen/", views.service_delete, name="service_delete"),
    path("angebote/<str:code>/texte/", views.service_text, name="service_text_add"),
    path("angebote/<str:code>/texte/<str:language>/", views.service_text, name="service_text"),
    path(
        "angebote/<str:code>/texte/<str:language>/loeschen/",
        views.service_text_delete,
        name="service_text_delete",
    ),
]
