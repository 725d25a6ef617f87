"""URLs of the interpreter pool (``/netzwerk/dolmetschende/``, namespace ``network``)."""

from django.urls import URLPattern, URLResolver, path

from kim.network.interpreters import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.interpreter_list, name="interpreter_list"),
    path("export.<str:fmt>", views.interpreter_export, name="interpreter_export"),
    path("neu/", views.interpreter_add, name="interpreter_add"),
    path("<str:code>/", views.interpreter_detail, name="interpreter_detail"),
    path("<str:code>/bearbeiten/", views.interpreter_edit, name="interpreter_edit"),
    path("<str:code>/deaktivieren/", views.interpreter_deactivate, name="interpreter_deactivate"),
    path("<str:code>/reaktivieren/", views.interpreter_reactivate, name="interpreter_reactivate"),
]
