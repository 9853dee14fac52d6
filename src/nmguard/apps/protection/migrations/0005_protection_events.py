"""Protection events and the investigations of dose alerts (issue 15 item 7), with their history tables."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_auditevent_object_index"),
        ("protection", "0004_sealed_sources"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalInvestigation",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                ("year", models.PositiveSmallIntegerField()),
                (
                    "quantity",
                    models.CharField(
                        choices=[
                            ("effective", "Effective dose"),
                            ("lens", "Lens of the eye"),
                            ("skin", "Skin"),
                            ("extremity", "Extremity"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "level",
                    models.CharField(
                        choices=[
                            ("investigation", "Investigation level reached"),
                            ("limit_exceeded", "Dose limit exceeded"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "dose_at_opening_mSv",
                    models.FloatField(help_text="The quantity's annual dose when the investigation opened"),
                ),
                (
                    "alert",
                    models.TextField(blank=True, help_text="The evaluation's reason at opening, as the alert said it"),
                ),
                (
                    "profile",
                    models.CharField(help_text="The jurisdiction profile that raised the alert", max_length=16),
                ),
                ("findings", models.TextField(blank=True)),
                ("cause", models.TextField(blank=True)),
                ("actions", models.TextField(blank=True)),
                (
                    "status",
                    models.CharField(choices=[("open", "Open"), ("closed", "Closed")], default="open", max_length=8),
                ),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "closed_by",
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
                    "closure",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.signature",
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
                (
                    "opened_by",
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
                    "worker",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="protection.worker",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical investigation",
                "verbose_name_plural": "historical investigations",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalProtectionEvent",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("contamination_person", "Contamination of a person"),
                            ("contamination_area", "Contamination of an area or surface"),
                            ("spill", "Spill of radioactive material"),
                            ("unplanned_exposure", "Unplanned exposure"),
                            ("lost_source", "Lost or stolen source"),
                            ("other", "Other"),
                        ],
                        max_length=24,
                    ),
                ),
                ("occurred_at", models.DateTimeField()),
                ("location", models.CharField(max_length=200)),
                ("description", models.TextField()),
                (
                    "others_involved",
                    models.CharField(blank=True, help_text="People not in the staff register", max_length=300),
                ),
                (
                    "estimated_dose_mSv",
                    models.FloatField(blank=True, help_text="Largest estimated individual dose", null=True),
                ),
                ("actions", models.TextField(blank=True)),
                (
                    "incident_ref",
                    models.CharField(
                        blank=True, help_text="Reserved: the quality app's incident register links here", max_length=64
                    ),
                ),
                (
                    "status",
                    models.CharField(choices=[("open", "Open"), ("closed", "Closed")], default="open", max_length=8),
                ),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "closed_by",
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
                    "closure",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.signature",
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
                (
                    "reported_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical protection event",
                "verbose_name_plural": "historical protection events",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Investigation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("year", models.PositiveSmallIntegerField()),
                (
                    "quantity",
                    models.CharField(
                        choices=[
                            ("effective", "Effective dose"),
                            ("lens", "Lens of the eye"),
                            ("skin", "Skin"),
                            ("extremity", "Extremity"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "level",
                    models.CharField(
                        choices=[
                            ("investigation", "Investigation level reached"),
                            ("limit_exceeded", "Dose limit exceeded"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "dose_at_opening_mSv",
                    models.FloatField(help_text="The quantity's annual dose when the investigation opened"),
                ),
                (
                    "alert",
                    models.TextField(blank=True, help_text="The evaluation's reason at opening, as the alert said it"),
                ),
                (
                    "profile",
                    models.CharField(help_text="The jurisdiction profile that raised the alert", max_length=16),
                ),
                ("findings", models.TextField(blank=True)),
                ("cause", models.TextField(blank=True)),
                ("actions", models.TextField(blank=True)),
                (
                    "status",
                    models.CharField(choices=[("open", "Open"), ("closed", "Closed")], default="open", max_length=8),
                ),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "closed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "closure",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.signature",
                    ),
                ),
                (
                    "opened_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "worker",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="investigations",
                        to="protection.worker",
                    ),
                ),
            ],
            options={
                "ordering": ["-year", "-created_at"],
                "indexes": [models.Index(fields=["year", "status"], name="protection_investig_year")],
            },
        ),
        migrations.CreateModel(
            name="ProtectionEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("contamination_person", "Contamination of a person"),
                            ("contamination_area", "Contamination of an area or surface"),
                            ("spill", "Spill of radioactive material"),
                            ("unplanned_exposure", "Unplanned exposure"),
                            ("lost_source", "Lost or stolen source"),
                            ("other", "Other"),
                        ],
                        max_length=24,
                    ),
                ),
                ("occurred_at", models.DateTimeField()),
                ("location", models.CharField(max_length=200)),
                ("description", models.TextField()),
                (
                    "others_involved",
                    models.CharField(blank=True, help_text="People not in the staff register", max_length=300),
                ),
                (
                    "estimated_dose_mSv",
                    models.FloatField(blank=True, help_text="Largest estimated individual dose", null=True),
                ),
                ("actions", models.TextField(blank=True)),
                (
                    "incident_ref",
                    models.CharField(
                        blank=True, help_text="Reserved: the quality app's incident register links here", max_length=64
                    ),
                ),
                (
                    "status",
                    models.CharField(choices=[("open", "Open"), ("closed", "Closed")], default="open", max_length=8),
                ),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "closed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "closure",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.signature",
                    ),
                ),
                (
                    "reported_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                ("workers", models.ManyToManyField(blank=True, related_name="events", to="protection.worker")),
            ],
            options={
                "ordering": ["-occurred_at"],
                "indexes": [models.Index(fields=["status", "occurred_at"], name="protection_event_status")],
            },
        ),
    ]
