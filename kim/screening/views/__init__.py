"""Screening views, one module per concern; each ends with its ``urlpatterns``."""
