from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("protection", "0004_sealed_sources"),
    ]

    operations = []
