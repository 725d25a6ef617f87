from django.urls import path

from kim.home import views

app_name = "home"
urlpatterns = [
    path("", views.start, name="start"),
    path("aufbewahrung/", views.retention, name="retention"),
    path("aufbewahrung/plan/", views.retention_plan, name="retention_plan"),
    path("aufbewahrung/ausfuehren/", views.retention_run, name="retention_run"),
]
