"""Shielding design: rooms with their workload and the points of interest behind their barriers (issue 15)."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("protection", "0002_workplace_monitoring"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ShieldingRoom",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("name", models.CharField(max_length=120, unique=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("pet_uptake", "PET uptake room"),
                            ("pet_imaging", "PET imaging room"),
                            ("spect", "SPECT / gamma camera room"),
                            ("hot_lab", "Hot lab"),
                            ("therapy", "Therapy patient room"),
                        ],
                        max_length=16,
                    ),
                ),
                ("nuclide", models.CharField(help_text="PET rooms: F-18 (TG-108)", max_length=16)),
                ("activity_MBq", models.FloatField(help_text="Per patient (PET: administered) or per source handled")),
                (
                    "per_week",
                    models.PositiveIntegerField(help_text="Patients (or sources handled) a week in this room"),
                ),
                ("uptake_min", models.FloatField(blank=True, help_text="PET: uptake time from injection", null=True)),
                ("imaging_min", models.FloatField(blank=True, help_text="PET imaging room: scan time", null=True)),
                (
                    "voiding",
                    models.BooleanField(default=True, help_text="PET imaging room: the patient voids before the scan"),
                ),
                (
                    "stay_min",
                    models.FloatField(blank=True, help_text="SPECT, hot lab, therapy: minutes per source", null=True),
                ),
                (
                    "delay_min",
                    models.FloatField(default=0.0, help_text="SPECT, hot lab, therapy: minutes before the stay"),
                ),
                ("notes", models.TextField(blank=True)),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalShieldingRoom",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                ("name", models.CharField(db_index=True, max_length=120)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("pet_uptake", "PET uptake room"),
                            ("pet_imaging", "PET imaging room"),
                            ("spect", "SPECT / gamma camera room"),
                            ("hot_lab", "Hot lab"),
                            ("therapy", "Therapy patient room"),
                        ],
                        max_length=16,
                    ),
                ),
                ("nuclide", models.CharField(help_text="PET rooms: F-18 (TG-108)", max_length=16)),
                ("activity_MBq", models.FloatField(help_text="Per patient (PET: administered) or per source handled")),
                (
                    "per_week",
                    models.PositiveIntegerField(help_text="Patients (or sources handled) a week in this room"),
                ),
                ("uptake_min", models.FloatField(blank=True, help_text="PET: uptake time from injection", null=True)),
                ("imaging_min", models.FloatField(blank=True, help_text="PET imaging room: scan time", null=True)),
                (
                    "voiding",
                    models.BooleanField(default=True, help_text="PET imaging room: the patient voids before the scan"),
                ),
                (
                    "stay_min",
                    models.FloatField(blank=True, help_text="SPECT, hot lab, therapy: minutes per source", null=True),
                ),
                (
                    "delay_min",
                    models.FloatField(default=0.0, help_text="SPECT, hot lab, therapy: minutes before the stay"),
                ),
                ("notes", models.TextField(blank=True)),
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
            ],
            options={
                "verbose_name": "historical shielding room",
                "verbose_name_plural": "historical shielding rooms",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalPointOfInterest",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                ("barrier", models.CharField(help_text="e.g. wall N, door, floor, ceiling", max_length=60)),
                (
                    "location",
                    models.CharField(help_text="What lies beyond the barrier (e.g. office, corridor)", max_length=120),
                ),
                ("distance_m", models.FloatField(help_text="Source position to the point, metres")),
                (
                    "occupancy_choice",
                    models.CharField(help_text="A key of the suggested factors, or 'other'", max_length=32),
                ),
                ("occupancy", models.FloatField(help_text="Occupancy factor T used (0 < T <= 1)")),
                (
                    "area",
                    models.CharField(
                        choices=[("controlled", "Controlled"), ("uncontrolled", "Uncontrolled")], max_length=16
                    ),
                ),
                (
                    "material",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "None entered"),
                            ("lead", "Lead"),
                            ("concrete", "Concrete"),
                            ("iron", "Iron / steel"),
                        ],
                        default="",
                        max_length=16,
                    ),
                ),
                ("thickness_mm", models.FloatField(blank=True, help_text="Existing barrier thickness", null=True)),
                (
                    "other_distance_m",
                    models.FloatField(blank=True, help_text="Other room's source to the point", null=True),
                ),
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
                    "other_room",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Also reaches it",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="protection.shieldingroom",
                    ),
                ),
                (
                    "room",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="protection.shieldingroom",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical point of interest",
                "verbose_name_plural": "historical point of interests",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="PointOfInterest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("barrier", models.CharField(help_text="e.g. wall N, door, floor, ceiling", max_length=60)),
                (
                    "location",
                    models.CharField(help_text="What lies beyond the barrier (e.g. office, corridor)", max_length=120),
                ),
                ("distance_m", models.FloatField(help_text="Source position to the point, metres")),
                (
                    "occupancy_choice",
                    models.CharField(help_text="A key of the suggested factors, or 'other'", max_length=32),
                ),
                ("occupancy", models.FloatField(help_text="Occupancy factor T used (0 < T <= 1)")),
                (
                    "area",
                    models.CharField(
                        choices=[("controlled", "Controlled"), ("uncontrolled", "Uncontrolled")], max_length=16
                    ),
                ),
                (
                    "material",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "None entered"),
                            ("lead", "Lead"),
                            ("concrete", "Concrete"),
                            ("iron", "Iron / steel"),
                        ],
                        default="",
                        max_length=16,
                    ),
                ),
                ("thickness_mm", models.FloatField(blank=True, help_text="Existing barrier thickness", null=True)),
                (
                    "other_distance_m",
                    models.FloatField(blank=True, help_text="Other room's source to the point", null=True),
                ),
                (
                    "other_room",
                    models.ForeignKey(
                        blank=True,
                        help_text="Also reaches it",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="protection.shieldingroom",
                    ),
                ),
                (
                    "room",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="points",
                        to="protection.shieldingroom",
                    ),
                ),
            ],
            options={
                "ordering": ["room", "barrier", "location"],
                "constraints": [
                    models.UniqueConstraint(fields=("room", "barrier", "location"), name="protection_point_unique")
                ],
            },
        ),
    ]
