"""The audit event's seal (nmguard.integrity.seal). AddField of a nullable column without a default: on SQLite
Django issues ALTER TABLE ADD COLUMN, which keeps the append-only triggers of 0002 (checked by a test)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0005_department_effective_dose_publication")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="seal",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
    ]
