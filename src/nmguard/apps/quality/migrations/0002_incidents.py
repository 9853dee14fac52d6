import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0001_initial"),
        ("core", "0008_auditevent_object_index"),
        ("equipment", "0007_indexes_for_lists"),
        ("patients", "0005_prescription_status_index"),
        ("protection", "0005_protection_events"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="correctiveaction",
            name="cancel_reason",
            field=models.CharField(blank=True, help_text="Why it was cancelled or superseded", max_length=500),
        ),
        migrations.AddField(
            model_name="historicalcorrectiveaction",
            name="cancel_reason",
            field=models.CharField(blank=True, help_text="Why it was cancelled or superseded", max_length=500),
        ),
        migrations.CreateModel(
            name="HistoricalIncident",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                (
                    "reference",
                    models.CharField(db_index=True, help_text="IR-<year>-<number>, given when reported", max_length=20),
                ),
                ("occurred_at", models.DateTimeField()),
                ("location", models.CharField(help_text="Where it happened (room, area)", max_length=200)),
                ("stage", models.CharField(help_text="Process stage (taxonomy code)", max_length=24)),
                ("severity", models.CharField(help_text="Severity (taxonomy code)", max_length=24)),
                ("near_miss", models.BooleanField(help_text="Caught before it reached anyone")),
                ("description", models.TextField(help_text="What happened")),
                ("immediate_action", models.TextField(help_text="What was done straight away")),
                ("radiopharmaceutical", models.CharField(blank=True, max_length=120)),
                (
                    "shareable",
                    models.BooleanField(
                        default=False,
                        help_text="The free text contains no names or identifiers and may go to a learning system",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("reported", "Reported"),
                            ("investigating", "Under investigation"),
                            ("closed", "Closed (signed)"),
                        ],
                        default="reported",
                        max_length=14,
                    ),
                ),
                ("root_cause", models.TextField(blank=True)),
                (
                    "factors",
                    models.JSONField(blank=True, default=list, help_text="Contributing factors (taxonomy codes)"),
                ),
                ("lessons", models.TextField(blank=True, help_text="Lessons shared with the staff")),
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
                    "investigated_by",
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
                    "medical_event",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.medicalevent",
                    ),
                ),
                (
                    "protection_event",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="protection.protectionevent",
                    ),
                ),
                (
                    "qc_result",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="equipment.qcresult",
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
                "verbose_name": "historical incident",
                "verbose_name_plural": "historical incidents",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalNotification",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                ("subject", models.CharField(max_length=200)),
                ("body", models.TextField()),
                ("step_days", models.PositiveIntegerField(help_text="The escalation step: days past the due date")),
                ("sent", models.BooleanField(default=False)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "action",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="quality.correctiveaction",
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
                    "recipient",
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
                "verbose_name": "historical notification",
                "verbose_name_plural": "historical notifications",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Incident",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "reference",
                    models.CharField(help_text="IR-<year>-<number>, given when reported", max_length=20, unique=True),
                ),
                ("occurred_at", models.DateTimeField()),
                ("location", models.CharField(help_text="Where it happened (room, area)", max_length=200)),
                ("stage", models.CharField(help_text="Process stage (taxonomy code)", max_length=24)),
                ("severity", models.CharField(help_text="Severity (taxonomy code)", max_length=24)),
                ("near_miss", models.BooleanField(help_text="Caught before it reached anyone")),
                ("description", models.TextField(help_text="What happened")),
                ("immediate_action", models.TextField(help_text="What was done straight away")),
                ("radiopharmaceutical", models.CharField(blank=True, max_length=120)),
                (
                    "shareable",
                    models.BooleanField(
                        default=False,
                        help_text="The free text contains no names or identifiers and may go to a learning system",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("reported", "Reported"),
                            ("investigating", "Under investigation"),
                            ("closed", "Closed (signed)"),
                        ],
                        default="reported",
                        max_length=14,
                    ),
                ),
                ("root_cause", models.TextField(blank=True)),
                (
                    "factors",
                    models.JSONField(blank=True, default=list, help_text="Contributing factors (taxonomy codes)"),
                ),
                ("lessons", models.TextField(blank=True, help_text="Lessons shared with the staff")),
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
                    "investigated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "medical_event",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="patients.medicalevent",
                    ),
                ),
                (
                    "protection_event",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="protection.protectionevent",
                    ),
                ),
                (
                    "qc_result",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="equipment.qcresult",
                    ),
                ),
                (
                    "reported_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["-occurred_at", "-pk"],
                "indexes": [models.Index(fields=["status", "occurred_at"], name="quality_incident_status_idx")],
            },
        ),
        migrations.CreateModel(
            name="Notification",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("subject", models.CharField(max_length=200)),
                ("body", models.TextField()),
                ("step_days", models.PositiveIntegerField(help_text="The escalation step: days past the due date")),
                ("sent", models.BooleanField(default=False)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                (
                    "action",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="notifications",
                        to="quality.correctiveaction",
                    ),
                ),
                (
                    "recipient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("action", "step_days", "recipient"), name="quality_notification_once_per_step"
                    )
                ],
            },
        ),
    ]
