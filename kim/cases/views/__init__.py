"""Case-management views, one module per concern; each module ends with its ``urlpatterns``."""
