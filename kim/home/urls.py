from django.urls import path

from kim.home import views

app_name = "home"
urlpatterns = [
    path("", views.start, name="start"),
]
