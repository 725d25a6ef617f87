"""Baustein-3 screening URLs under ``/screening/``."""

from kim.screening.views import clients, letters, lists, rules

app_name = "screening"
urlpatterns = [*lists.urlpatterns, *rules.urlpatterns, *clients.urlpatterns, *letters.urlpatterns]
