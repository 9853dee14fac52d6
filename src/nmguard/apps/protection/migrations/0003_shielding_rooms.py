from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("protection", "0002_workplace_monitoring"),
    ]

    operations = []
