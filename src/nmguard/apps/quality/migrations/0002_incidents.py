from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="correctiveaction",
            name="cancel_reason",
            field=models.CharField(blank=True, help_text="Why it was cancelled or superseded", max_length=500),
        ),
        migrations.AddField(
            model_name="historicalcorrectiveaction",
            name="cancel_reason",
            field=models.CharField(blank=True, help_text="Why it was cancelled or superseded", max_length=500),
        ),
    ]
