"""PostgreSQL row-level security for the screening lists (kim/core/rls.py, decisions D-076)."""

from django.db import migrations

from kim.core import rls

# The tables this migration protects, frozen: a table added to rls.PROTECTED_TABLES later
# gets its policy from a new migration.
NAMES = (
    "screening_screeninglist",
    "screening_screeningentry",
)
TABLES = tuple(t for t in rls.PROTECTED_TABLES if t.table in NAMES)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    rls.install(schema_editor, TABLES, functions=True)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    rls.uninstall(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0002_user_facing_sources"),
        ("cases", "0003_row_level_security"),
    ]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
