"""Barriers keep the organisation of the case they were recorded in (D-084), so that topic
proposals count organisations without reading the case. Existing rows get it from their case.

On PostgreSQL the case table lies behind forced row-level security (``0003``): the table owner
running this migration sees no case unless it acts as the system role, so the update runs
with ``SET ROLE`` to it (checked first, like ``0003``) and returns to the login role after."""

import django.db.models.deletion
from django.db import migrations, models

from kim.core import rls

UPDATE = (
    "UPDATE cases_barrier SET organisation_id = "
    "(SELECT c.organisation_id FROM cases_case c WHERE c.id = cases_barrier.case_id) "
    "WHERE case_id IS NOT NULL AND organisation_id IS NULL"
)


def copy_organisation(apps, schema_editor):  # type: ignore[no-untyped-def]
    conn = schema_editor.connection
    with conn.cursor() as cursor:
        if conn.vendor != "postgresql":
            cursor.execute(UPDATE)
            return
        rls.check_system_role(cursor)
        cursor.execute("SELECT current_setting('role')")
        (before,) = cursor.fetchone()
        cursor.execute("SELECT set_config('role', %s, false)", [rls.system_role()])
        cursor.execute(UPDATE)
        cursor.execute("SELECT set_config('role', %s, false)", [before])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_row_level_security"),
        ("organisations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="barrier",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisations.organisation",
                verbose_name="recorded by (organisation)",
            ),
        ),
        migrations.RunPython(copy_organisation, migrations.RunPython.noop, elidable=False),
    ]
