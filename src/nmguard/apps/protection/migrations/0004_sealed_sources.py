"""Sealed sources: the register, leak tests, the physical inventory and its items (with their history twins)."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("protection", "0003_shielding_rooms"),
        ("core", "0008_auditevent_object_index"),
        ("equipment", "0007_indexes_for_lists"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalSealedSource",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                ("nuclide", models.CharField(max_length=16)),
                ("serial_number", models.CharField(db_index=True, max_length=120)),
                ("model_number", models.CharField(blank=True, max_length=120)),
                ("activity_Bq", models.FloatField(help_text="Certified activity at the reference date (Bq)")),
                ("reference_at", models.DateTimeField(help_text="Reference date of the certified activity")),
                (
                    "form",
                    models.CharField(blank=True, help_text="Physical form, e.g. 'sealed vial', 'rod'", max_length=120),
                ),
                ("gaseous", models.BooleanField(default=False)),
                (
                    "emission",
                    models.CharField(
                        choices=[("beta_gamma", "Beta/gamma"), ("alpha", "Alpha")], default="beta_gamma", max_length=16
                    ),
                ),
                (
                    "use",
                    models.CharField(
                        choices=[
                            ("check", "Check source (constancy)"),
                            ("flood", "Flood source"),
                            ("marker", "Marker"),
                            ("calibration", "Calibration source"),
                        ],
                        max_length=16,
                    ),
                ),
                ("location", models.CharField(max_length=200)),
                (
                    "received_on",
                    models.DateField(help_text="The first leak test is due on this day (before first use)"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("in_use", "In use"),
                            ("stored", "Stored, not in use"),
                            ("withdrawn", "Withdrawn from use"),
                            ("disposed", "Disposed"),
                        ],
                        default="in_use",
                        max_length=16,
                    ),
                ),
                (
                    "status_reason",
                    models.TextField(blank=True, help_text="Why the source was withdrawn, stored or disposed"),
                ),
                ("status_changed_at", models.DateTimeField(blank=True, null=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "check_source",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The QC constancy source this sealed source is",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="equipment.checksource",
                    ),
                ),
                (
                    "custodian",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical sealed source",
                "verbose_name_plural": "historical sealed sources",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalSourceInventory",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                ("performed_on", models.DateField()),
                ("comment", models.TextField(blank=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "performed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "signature",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.signature",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical source inventory",
                "verbose_name_plural": "historical source inventories",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="SealedSource",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("nuclide", models.CharField(max_length=16)),
                ("serial_number", models.CharField(max_length=120, unique=True)),
                ("model_number", models.CharField(blank=True, max_length=120)),
                ("activity_Bq", models.FloatField(help_text="Certified activity at the reference date (Bq)")),
                ("reference_at", models.DateTimeField(help_text="Reference date of the certified activity")),
                (
                    "form",
                    models.CharField(blank=True, help_text="Physical form, e.g. 'sealed vial', 'rod'", max_length=120),
                ),
                ("gaseous", models.BooleanField(default=False)),
                (
                    "emission",
                    models.CharField(
                        choices=[("beta_gamma", "Beta/gamma"), ("alpha", "Alpha")], default="beta_gamma", max_length=16
                    ),
                ),
                (
                    "use",
                    models.CharField(
                        choices=[
                            ("check", "Check source (constancy)"),
                            ("flood", "Flood source"),
                            ("marker", "Marker"),
                            ("calibration", "Calibration source"),
                        ],
                        max_length=16,
                    ),
                ),
                ("location", models.CharField(max_length=200)),
                (
                    "received_on",
                    models.DateField(help_text="The first leak test is due on this day (before first use)"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("in_use", "In use"),
                            ("stored", "Stored, not in use"),
                            ("withdrawn", "Withdrawn from use"),
                            ("disposed", "Disposed"),
                        ],
                        default="in_use",
                        max_length=16,
                    ),
                ),
                (
                    "status_reason",
                    models.TextField(blank=True, help_text="Why the source was withdrawn, stored or disposed"),
                ),
                ("status_changed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "check_source",
                    models.OneToOneField(
                        blank=True,
                        help_text="The QC constancy source this sealed source is",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="sealed_source",
                        to="equipment.checksource",
                    ),
                ),
                (
                    "custodian",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["nuclide", "serial_number"],
            },
        ),
        migrations.CreateModel(
            name="LeakTest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("wiped_at", models.DateTimeField()),
                ("removable_Bq", models.FloatField()),
                ("mda_Bq", models.FloatField()),
                ("gross_cpm", models.FloatField(blank=True, help_text="Counts, when entered as counts", null=True)),
                ("background_cpm", models.FloatField(blank=True, null=True)),
                ("efficiency", models.FloatField(blank=True, null=True)),
                ("limit_Bq", models.FloatField()),
                ("passed", models.BooleanField()),
                ("reason", models.TextField(help_text="The judgement with the rule's source")),
                ("comment", models.TextField(blank=True)),
                (
                    "wiped_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="leak_tests",
                        to="protection.sealedsource",
                    ),
                ),
            ],
            options={
                "ordering": ["-wiped_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalLeakTest",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                ("wiped_at", models.DateTimeField()),
                ("removable_Bq", models.FloatField()),
                ("mda_Bq", models.FloatField()),
                ("gross_cpm", models.FloatField(blank=True, help_text="Counts, when entered as counts", null=True)),
                ("background_cpm", models.FloatField(blank=True, null=True)),
                ("efficiency", models.FloatField(blank=True, null=True)),
                ("limit_Bq", models.FloatField()),
                ("passed", models.BooleanField()),
                ("reason", models.TextField(help_text="The judgement with the rule's source")),
                ("comment", models.TextField(blank=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "wiped_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="protection.sealedsource",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical leak test",
                "verbose_name_plural": "historical leak tests",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="SourceInventory",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("performed_on", models.DateField()),
                ("comment", models.TextField(blank=True)),
                (
                    "performed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "signature",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.signature",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "source inventories",
                "ordering": ["-performed_on", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalInventoryItem",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                ("present", models.BooleanField()),
                ("location", models.CharField(help_text="Where it was found (or expected)", max_length=200)),
                ("note", models.TextField(blank=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="protection.sealedsource",
                    ),
                ),
                (
                    "inventory",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="protection.sourceinventory",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical inventory item",
                "verbose_name_plural": "historical inventory items",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="InventoryItem",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("present", models.BooleanField()),
                ("location", models.CharField(help_text="Where it was found (or expected)", max_length=200)),
                ("note", models.TextField(blank=True)),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="inventory_items",
                        to="protection.sealedsource",
                    ),
                ),
                (
                    "inventory",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="items",
                        to="protection.sourceinventory",
                    ),
                ),
            ],
            options={
                "ordering": ["inventory", "source"],
                "constraints": [
                    models.UniqueConstraint(fields=("inventory", "source"), name="protection_inventory_once")
                ],
            },
        ),
    ]
