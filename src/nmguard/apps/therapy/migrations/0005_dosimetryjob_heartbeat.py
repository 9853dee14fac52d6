from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("therapy", "0004_dosimetryjob_kind")]

    operations = [
        migrations.AddField(
            model_name="dosimetryjob",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="dosimetryjob",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="historicaldosimetryjob",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="historicaldosimetryjob",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
    ]
