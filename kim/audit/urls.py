from django.urls import path

from kim.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("export.csv", views.event_export, name="export"),
    path("pruefen/", views.chain_verify, name="verify"),
    path("<str:code>/", views.event_detail, name="detail"),
]
