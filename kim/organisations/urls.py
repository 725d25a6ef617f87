from django.urls import path

from kim.organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("neu/", views.organisation_create, name="create"),
    path("<str:code>/", views.organisation_detail, name="detail"),
    path("<str:code>/bearbeiten/", views.organisation_edit, name="edit"),
    path("<str:code>/bevoelkerung/import/", views.population_import, name="population_import"),
    path("<str:code>/zustaendigkeit/neu/", views.responsibility_add, name="responsibility_add"),
]
