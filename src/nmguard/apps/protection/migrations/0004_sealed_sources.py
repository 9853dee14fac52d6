from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("protection", "0003_shielding_rooms"),
    ]

    operations = []
