from django.urls import path

from kim.core import views

app_name = "core"

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("<str:code>/", views.job_detail, name="job_detail"),
    path("<str:code>/datei/", views.job_download, name="job_download"),
]
