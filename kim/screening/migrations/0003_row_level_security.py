"""PostgreSQL row-level security for the screening lists (kim/core/rls.py, decisions D-076)."""

from django.db import migrations

from kim.core import rls

# The tables this migration protects, frozen: a table added to rls.PROTECTED_TABLES later
# gets its policy from a new migration.
NAMES = (
    "screening_screeninglist",
    "screening_screeningentry",
)


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0002_user_facing_sources"),
        ("cases", "0003_row_level_security"),
    ]
    operations = [rls.migration(NAMES)]
