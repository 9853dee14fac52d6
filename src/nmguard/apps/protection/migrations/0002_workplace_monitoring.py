"""Workplace monitoring records: instruments, survey locations and schedules, surveys, wipe tests and
decontamination follow-up."""

from __future__ import annotations

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("protection", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Instrument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("name", models.CharField(max_length=120)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("dose_rate_meter", "Dose-rate meter"),
                            ("contamination_monitor", "Contamination monitor"),
                            ("wipe_counter", "Well / wipe counter"),
                        ],
                        max_length=24,
                    ),
                ),
                ("serial", models.CharField(max_length=80, unique=True)),
                ("calibrated_on", models.DateField()),
                ("calibration_due", models.DateField()),
                (
                    "reads_background",
                    models.BooleanField(
                        default=False, help_text="A background reading is taken with every survey and subtracted"
                    ),
                ),
                (
                    "check_reference",
                    models.FloatField(blank=True, help_text="Check-source reference reading", null=True),
                ),
                ("check_unit", models.CharField(blank=True, max_length=20)),
                (
                    "efficiencies",
                    models.JSONField(blank=True, default=dict, help_text="Counters: {nuclide: counts per decay}"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("in_service", "In service"), ("out_of_service", "Out of service")],
                        default="in_service",
                        max_length=16,
                    ),
                ),
            ],
            options={
                "ordering": ["kind", "name"],
            },
        ),
        migrations.CreateModel(
            name="SurveyLocation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("name", models.CharField(max_length=120, unique=True)),
                (
                    "area_kind",
                    models.CharField(
                        choices=[
                            ("controlled", "Controlled area"),
                            ("supervised", "Supervised area"),
                            ("public", "Public area"),
                        ],
                        max_length=12,
                    ),
                ),
                (
                    "survey_kind",
                    models.CharField(
                        choices=[
                            ("dose_rate", "Dose rate"),
                            ("contamination", "Contamination (direct probe)"),
                            ("wipe", "Wipe test"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "frequency",
                    models.CharField(
                        choices=[
                            ("daily", "Daily"),
                            ("weekly", "Weekly"),
                            ("monthly", "Monthly"),
                            ("quarterly", "Quarterly"),
                        ],
                        max_length=12,
                    ),
                ),
                (
                    "nuclide",
                    models.CharField(blank=True, help_text="The nuclide handled there (wipe tests)", max_length=16),
                ),
                ("first_due", models.DateField()),
                (
                    "action_level_override",
                    models.FloatField(blank=True, help_text="µSv/h or Bq/cm², with a reason", null=True),
                ),
                ("override_reason", models.TextField(blank=True)),
                ("active", models.BooleanField(default=True)),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalInstrument",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                ("name", models.CharField(max_length=120)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("dose_rate_meter", "Dose-rate meter"),
                            ("contamination_monitor", "Contamination monitor"),
                            ("wipe_counter", "Well / wipe counter"),
                        ],
                        max_length=24,
                    ),
                ),
                ("serial", models.CharField(db_index=True, max_length=80)),
                ("calibrated_on", models.DateField()),
                ("calibration_due", models.DateField()),
                (
                    "reads_background",
                    models.BooleanField(
                        default=False, help_text="A background reading is taken with every survey and subtracted"
                    ),
                ),
                (
                    "check_reference",
                    models.FloatField(blank=True, help_text="Check-source reference reading", null=True),
                ),
                ("check_unit", models.CharField(blank=True, max_length=20)),
                (
                    "efficiencies",
                    models.JSONField(blank=True, default=dict, help_text="Counters: {nuclide: counts per decay}"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("in_service", "In service"), ("out_of_service", "Out of service")],
                        default="in_service",
                        max_length=16,
                    ),
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
            ],
            options={
                "verbose_name": "historical instrument",
                "verbose_name_plural": "historical instruments",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalSurveyLocation",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                ("name", models.CharField(db_index=True, max_length=120)),
                (
                    "area_kind",
                    models.CharField(
                        choices=[
                            ("controlled", "Controlled area"),
                            ("supervised", "Supervised area"),
                            ("public", "Public area"),
                        ],
                        max_length=12,
                    ),
                ),
                (
                    "survey_kind",
                    models.CharField(
                        choices=[
                            ("dose_rate", "Dose rate"),
                            ("contamination", "Contamination (direct probe)"),
                            ("wipe", "Wipe test"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "frequency",
                    models.CharField(
                        choices=[
                            ("daily", "Daily"),
                            ("weekly", "Weekly"),
                            ("monthly", "Monthly"),
                            ("quarterly", "Quarterly"),
                        ],
                        max_length=12,
                    ),
                ),
                (
                    "nuclide",
                    models.CharField(blank=True, help_text="The nuclide handled there (wipe tests)", max_length=16),
                ),
                ("first_due", models.DateField()),
                (
                    "action_level_override",
                    models.FloatField(blank=True, help_text="µSv/h or Bq/cm², with a reason", null=True),
                ),
                ("override_reason", models.TextField(blank=True)),
                ("active", models.BooleanField(default=True)),
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
                "verbose_name": "historical survey location",
                "verbose_name_plural": "historical survey locations",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalConstancyCheck",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                ("checked_on", models.DateField()),
                ("reading", models.FloatField()),
                ("reference", models.FloatField()),
                ("tolerance", models.FloatField(help_text="Fraction of the reference")),
                ("passed", models.BooleanField()),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "checked_by",
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
                (
                    "instrument",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="protection.instrument",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical constancy check",
                "verbose_name_plural": "historical constancy checks",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ConstancyCheck",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("checked_on", models.DateField()),
                ("reading", models.FloatField()),
                ("reference", models.FloatField()),
                ("tolerance", models.FloatField(help_text="Fraction of the reference")),
                ("passed", models.BooleanField()),
                (
                    "checked_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "instrument",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="constancy_checks",
                        to="protection.instrument",
                    ),
                ),
            ],
            options={
                "ordering": ["-checked_on", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="Survey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("performed_at", models.DateTimeField()),
                ("readings", models.JSONField(default=list, help_text="Gross readings, µSv/h or Bq/cm²")),
                ("background", models.FloatField(blank=True, null=True)),
                ("net_max", models.FloatField()),
                ("unit", models.CharField(max_length=8)),
                ("action_level", models.FloatField()),
                ("level_source", models.CharField(max_length=300)),
                ("above_action_level", models.BooleanField()),
                ("note", models.TextField(blank=True)),
                (
                    "instrument",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="surveys", to="protection.instrument"
                    ),
                ),
                (
                    "performed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "location",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="surveys",
                        to="protection.surveylocation",
                    ),
                ),
            ],
            options={
                "ordering": ["-performed_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalWipeTest",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                ("nuclide", models.CharField(max_length=16)),
                ("performed_at", models.DateTimeField()),
                ("gross_counts", models.FloatField()),
                ("gross_time_s", models.FloatField()),
                ("background_counts", models.FloatField()),
                ("background_time_s", models.FloatField()),
                ("area_cm2", models.FloatField()),
                ("efficiency", models.FloatField()),
                ("removal_fraction", models.FloatField()),
                ("activity_Bq_cm2", models.FloatField()),
                ("mda_Bq_cm2", models.FloatField()),
                ("below_mda", models.BooleanField()),
                ("action_level", models.FloatField()),
                ("level_source", models.CharField(max_length=300)),
                ("above_action_level", models.BooleanField()),
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
                    "counter",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="protection.instrument",
                    ),
                ),
                (
                    "location",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="protection.surveylocation",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical wipe test",
                "verbose_name_plural": "historical wipe tests",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalSurvey",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                ("performed_at", models.DateTimeField()),
                ("readings", models.JSONField(default=list, help_text="Gross readings, µSv/h or Bq/cm²")),
                ("background", models.FloatField(blank=True, null=True)),
                ("net_max", models.FloatField()),
                ("unit", models.CharField(max_length=8)),
                ("action_level", models.FloatField()),
                ("level_source", models.CharField(max_length=300)),
                ("above_action_level", models.BooleanField()),
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
                    "instrument",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="protection.instrument",
                    ),
                ),
                (
                    "location",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="protection.surveylocation",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical survey",
                "verbose_name_plural": "historical surveys",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="WipeTest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("nuclide", models.CharField(max_length=16)),
                ("performed_at", models.DateTimeField()),
                ("gross_counts", models.FloatField()),
                ("gross_time_s", models.FloatField()),
                ("background_counts", models.FloatField()),
                ("background_time_s", models.FloatField()),
                ("area_cm2", models.FloatField()),
                ("efficiency", models.FloatField()),
                ("removal_fraction", models.FloatField()),
                ("activity_Bq_cm2", models.FloatField()),
                ("mda_Bq_cm2", models.FloatField()),
                ("below_mda", models.BooleanField()),
                ("action_level", models.FloatField()),
                ("level_source", models.CharField(max_length=300)),
                ("above_action_level", models.BooleanField()),
                ("note", models.TextField(blank=True)),
                (
                    "counter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="wipe_tests",
                        to="protection.instrument",
                    ),
                ),
                (
                    "location",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="wipe_tests",
                        to="protection.surveylocation",
                    ),
                ),
                (
                    "performed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["-performed_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalFollowUp",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                ("action_taken", models.TextField(blank=True)),
                ("action_at", models.DateTimeField(blank=True, null=True)),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
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
                    "resurvey",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="protection.survey",
                    ),
                ),
                (
                    "survey",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="protection.survey",
                    ),
                ),
                (
                    "location",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="protection.surveylocation",
                    ),
                ),
                (
                    "rewipe",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="protection.wipetest",
                    ),
                ),
                (
                    "wipe",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="protection.wipetest",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical follow up",
                "verbose_name_plural": "historical follow ups",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="FollowUp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("action_taken", models.TextField(blank=True)),
                ("action_at", models.DateTimeField(blank=True, null=True)),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "resurvey",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="protection.survey",
                    ),
                ),
                (
                    "survey",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="follow_up",
                        to="protection.survey",
                    ),
                ),
                (
                    "location",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="follow_ups",
                        to="protection.surveylocation",
                    ),
                ),
                (
                    "rewipe",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="protection.wipetest",
                    ),
                ),
                (
                    "wipe",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="follow_up",
                        to="protection.wipetest",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
            },
        ),
    ]
