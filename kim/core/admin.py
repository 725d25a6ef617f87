"""Admin site adjustments that must run after all apps have registered their models."""

from django.contrib import admin
from rest_framework.authtoken.models import TokenProxy

# API tokens are issued by ``kim drf_create_token`` (audited action), not in the admin.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)
