from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("protection", "0001_initial"),
    ]

    operations = []
