"""Role grants under ``/rollen/``."""

from django.urls import path

from kim.accounts import views

app_name = "accounts"
urlpatterns = [
    path("freigaben/", views.grant_list, name="grant_list"),
    path("freigaben/<str:code>/bestaetigen/", views.grant_confirm, name="grant_confirm"),
    path("freigaben/<str:code>/ablehnen/", views.grant_reject, name="grant_reject"),
]
