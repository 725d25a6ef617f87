"""Steering views, one module per concern, each with its ``urlpatterns``."""
