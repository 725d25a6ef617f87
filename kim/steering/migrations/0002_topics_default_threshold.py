"""The default threshold for topic proposals (D-084): at least 5 barriers of one category in a
quarter, from at least 2 organisations. Not an official figure – a starting value that the KIM
coordination replaces by recording its own dated thresholds (docs/configuration.md § Topic
thresholds)."""

import datetime as dt

from django.db import migrations

SOURCE = "Voreinstellung der KIM-Plattform; von der KIM-Koordination festzulegen"


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    TopicThreshold = apps.get_model("steering", "TopicThreshold")
    if not TopicThreshold.objects.filter(region=None, category=None).exists():
        TopicThreshold.objects.create(
            min_barriers=5, min_organisations=2, valid_from=dt.date(2020, 1, 1), source=SOURCE
        )


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("steering", "TopicThreshold").objects.filter(
        region=None, category=None, source=SOURCE
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("steering", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
