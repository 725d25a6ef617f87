"""Staff belong to the organisation that employs them (decisions D-046).

Existing staff records get the home of the most recent post they hold or held (latest start,
then the latest record); a record without any post falls back to its Kreis, where only KIM
coordination keeps it.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def derive_employers(apps: Any, schema_editor: Any) -> None:
    staff_member = apps.get_model("programmes", "StaffMember")
    incumbency = apps.get_model("programmes", "Incumbency")
    latest: dict[int, int] = {}
    # Ordered oldest first, so the last post seen for a staff member is the most recent one.
    for staff_id, home_id in incumbency.objects.order_by("start", "id").values_list(
        "staff_id", "position__home_id"
    ):
        latest[staff_id] = home_id
    for staff in staff_member.objects.only("id", "region_id"):
        staff.employer_id = latest.get(staff.pk, staff.region_id)
        staff.save(update_fields=["employer"])


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0001_initial"),
        ("programmes", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="staffmember",
            name="employer",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="kim_staff",
                to="organisations.organisation",
                verbose_name="employer",
            ),
        ),
        migrations.RunPython(derive_employers, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="staffmember",
            name="employer",
            field=models.ForeignKey(
                help_text="The organisation that employs the person and hosts their posts.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="kim_staff",
                to="organisations.organisation",
                verbose_name="employer",
            ),
        ),
    ]
