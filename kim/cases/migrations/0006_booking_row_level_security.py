"""PostgreSQL row-level security for the interpreter bookings (kim/core/rls.py, D-076, D-089)."""

from django.db import migrations

from kim.core import rls


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_network_and_languages")]
    operations = [rls.migration(("cases_interpreterbooking",))]
