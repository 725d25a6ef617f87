"""The default rule for vacancies (decisions D-085): a configurable assumption, not a fact."""

import datetime as dt

from django.db import migrations

SOURCE = (
    "Voreinstellung der KIM-Plattform: Förderung für die Monate, in denen die Stelle besetzt "
    "war, anteilig nach VZÄ. Nicht bestätigt – mit der Bezirksregierung Arnsberg abzustimmen "
    "(Förderrichtlinie KIM, Nr. 5 und Zuwendungsbescheid)."
)


def add_default(apps, schema_editor):
    rule = apps.get_model("programmes", "FundingDueRule")
    if not rule.objects.exists():
        rule.objects.create(
            rule="filled_months",
            valid_from=dt.date(2020, 1, 1),
            confirmed=False,
            source=SOURCE,
        )


def remove_default(apps, schema_editor):
    apps.get_model("programmes", "FundingDueRule").objects.filter(source=SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [("programmes", "0004_actual_cost_and_payments")]

    operations = [migrations.RunPython(add_default, remove_default)]
