"""D-093: consents and disclosures for interpreter bookings (scope and kind "interpreting")."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_booking_row_level_security"),
    ]

    operations = [
        migrations.AlterField(
            model_name="consent",
            name="scope",
            field=models.CharField(
                choices=[
                    ("disclosure", "Passing data on to the recipient"),
                    ("screening", "Residence-law and naturalisation screening (Baustein 3)"),
                    ("interpreting", "Booking a freelance interpreter for appointments"),
                ],
                default="disclosure",
                help_text="A screening consent lets the case manager check the person's residence-law prospects; it allows no disclosure.",
                max_length=12,
                verbose_name="consent to",
            ),
        ),
        migrations.AlterField(
            model_name="disclosure",
            name="kind",
            field=models.CharField(
                choices=[
                    ("referral", "Referral"),
                    ("summary", "Case summary sent"),
                    ("document", "Document shared"),
                    ("conference", "Case conference"),
                    ("interpreting", "Interpreter booked"),
                ],
                max_length=12,
            ),
        ),
    ]
