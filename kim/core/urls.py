from django.urls import path

from kim.core import views

urlpatterns = [
    path("", views.start, name="start"),
]
