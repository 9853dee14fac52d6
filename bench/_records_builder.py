"""Fill a migrated database with N administrations for the records benchmark, fast and realistic.

Why clones: the demo department is loaded first through the real services (prescribe, measure, check,
administer), so its 36 administrations carry real field contents (activity rule, dose basis, organ
doses, check details). Each of the N administrations copies one of them as a template with its own
patient, time and activity, and is written with ``bulk_create`` in one transaction per chunk. Every
row created gets the CREATE audit event that the per-save receiver would have written (snapshot of the
row, the actor, the reason), appended to the same hash chain with its seal, so the trail verifies and
is as long as real use would make it. Not written: simple-history rows (no page reads them).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator

from django.db import connection, models, transaction
from django.utils import timezone

# mean administrations per patient (a patient comes back a few times)
ADMINISTRATIONS_PER_PATIENT = 3
# a reportable medical event per this many administrations
MEDICAL_EVENT_EVERY = 1000
# per working day: the history spans N / PER_DAY days back from yesterday; today gets a full worklist
PER_DAY = 250
CHUNK = 5000


def _fields(obj: models.Model) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


class _Trail:
    """Appends CREATE events to the chain head, in memory, then writes them in bulk."""

    def __init__(self) -> None:
        from nmguard.apps.core.audit import audit_key
        from nmguard.apps.core.models import AuditHead

        head = AuditHead.objects.get(pk=1)
        self.seq, self.hash, self.key = head.last_seq, head.last_hash, audit_key(create=True)
        self.pending: list = []

    def created(self, obj: models.Model, actor, reason: str, at: dt.datetime) -> None:
        from nmguard.apps.core.audit import _payload, snapshot
        from nmguard.apps.core.models import AuditEvent
        from nmguard.integrity.hashchain import chain_hash
        from nmguard.integrity.seal import seal

        self.seq += 1
        event = AuditEvent(
            seq=self.seq,
            at=at,
            actor_id=actor.pk,
            actor_username=actor.username,
            action=AuditEvent.Action.CREATE,
            model_label=obj._meta.label,
            object_id=str(obj.pk),
            before=None,
            after=snapshot(obj),
            reason=reason,
            prev_hash=self.hash,
        )
        event.hash = chain_hash(event.prev_hash, _payload(event))
        event.seal = seal(self.key, event.seq, event.hash)
        self.hash = event.hash
        self.pending.append(event)

    def flush(self) -> None:
        from nmguard.apps.core.models import AuditEvent, AuditHead

        AuditEvent.objects.bulk_create(self.pending, batch_size=2000)
        self.pending.clear()
        AuditHead.objects.filter(pk=1).update(last_seq=self.seq, last_hash=self.hash)


def _next_ids(*model_classes) -> dict:
    return {m: (m.objects.aggregate(models.Max("pk"))["pk__max"] or 0) + 1 for m in model_classes}


def _times(n: int, rng: random.Random) -> Iterator[dt.datetime]:
    """Working-hours times, PER_DAY a day, the oldest first, ending yesterday (department zone)."""
    days = max(1, -(-n // PER_DAY))
    first = timezone.localdate() - dt.timedelta(days=days)
    for i in range(n):
        day = first + dt.timedelta(days=i // PER_DAY)
        minute = 7 * 60 + (i % PER_DAY) * (10 * 60) // PER_DAY
        yield timezone.make_aware(dt.datetime.combine(day, dt.time(minute // 60, minute % 60, rng.randrange(60))))


def build(n: int, seed: int = 20261206, progress: bool = True) -> dict[str, int]:
    """Add ``n`` administrations (and patients, prescriptions, measurements, checks, a few medical events,
    their audit events) to a database holding the demo department; also today's worklist (PER_DAY)."""
    from nmguard.apps.core.models import User
    from nmguard.apps.patients.models import (
        Administration,
        DoseMeasurement,
        MedicalEvent,
        Patient,
        Prescription,
        SafetyCheck,
    )

    rng = random.Random(seed)
    templates = list(
        Prescription.objects.filter(status="administered", administration__isnull=False)
        .select_related("administration", "protocol__radiopharmaceutical")
        .prefetch_related("measurements", "checks")
        .order_by("pk")
    )
    templates = [t for t in templates if not t.protocol.radiopharmaceutical.is_therapy]
    if not templates:
        raise RuntimeError("no administered diagnostic prescription to copy: load the demo first")
    event_template = MedicalEvent.objects.order_by("pk").first()
    tech = User.objects.get(username="technologist")
    doctor = User.objects.get(username="physician")
    ids = _next_ids(Patient, Prescription, DoseMeasurement, SafetyCheck, Administration, MedicalEvent)
    trail = _Trail()
    counts = dict.fromkeys(("patients", "prescriptions", "measurements", "checks", "administrations"), 0)
    counts["medical_events"] = 0
    n_patients = max(1, n // ADMINISTRATIONS_PER_PATIENT)
    families = ["Berger", "Huber", "Wagner", "Gruber", "Pichler", "Moser", "Mayer", "Bauer", "Steiner", "Hofer"]
    given = ["Anna", "Lukas", "Maria", "David", "Sophie", "Paul", "Laura", "Jonas", "Lena", "Felix"]
    started = time.perf_counter()
    now = timezone.now()

    def write(batch: dict[type, list]) -> None:
        with transaction.atomic():
            for model_class, rows in batch.items():
                model_class.objects.bulk_create(rows, batch_size=2000)
            trail.flush()

    # patients first (born 1930-2000: adults), in chunks
    patient_ids = []
    for start in range(0, n_patients, CHUNK):
        rows = []
        for i in range(start, min(start + CHUNK, n_patients)):
            p = Patient(
                pk=ids[Patient] + i,
                mrn=f"B{i:08d}",
                family_name=f"{rng.choice(families)}-{i % 9973}",
                given_name=rng.choice(given),
                birth_date=dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(70 * 365)),
                sex=rng.choice("FM"),
            )
            rows.append(p)
            trail.created(p, tech, "registered", now)
        write({Patient: rows})
        patient_ids.extend(p.pk for p in rows)
    counts["patients"] = n_patients

    today = [
        timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(7 + i * 10 // PER_DAY, i * 7 % 60)))
        for i in range(PER_DAY)
    ]
    times = list(_times(n, rng)) + today
    for start in range(0, len(times), CHUNK):
        batch: dict[type, list] = {m: [] for m in (Prescription, DoseMeasurement, SafetyCheck, Administration)}
        batch[MedicalEvent] = []
        for i in range(start, min(start + CHUNK, len(times))):
            at, t = times[i], templates[i % len(templates)]
            done = i < n
            scale = rng.uniform(0.9, 1.1)
            rx = Prescription(**_fields(t))
            rx.pk, rx.patient_id = ids[Prescription] + i, rng.choice(patient_ids)
            rx.scheduled_for, rx.prescribed_activity_Bq = at, t.prescribed_activity_Bq * scale
            rx.prescribed_by_id, rx.status = doctor.pk, "administered" if done else "prescribed"
            batch[Prescription].append(rx)
            trail.created(rx, doctor, "prescribed", at - dt.timedelta(days=1))
            if not done:
                continue
            for m in t.measurements.all():
                dm = DoseMeasurement(**_fields(m))
                dm.pk, dm.prescription_id = ids[DoseMeasurement] + counts["measurements"], rx.pk
                dm.measured_at, dm.measured_activity_Bq = at - dt.timedelta(minutes=12), m.measured_activity_Bq * scale
                dm.residual_measured_at = at + dt.timedelta(minutes=3)
                counts["measurements"] += 1
                batch[DoseMeasurement].append(dm)
                trail.created(dm, tech, "measured", dm.measured_at)
            for c in t.checks.all():
                sc = SafetyCheck(**_fields(c))
                sc.pk, sc.prescription_id = ids[SafetyCheck] + counts["checks"], rx.pk
                counts["checks"] += 1
                batch[SafetyCheck].append(sc)
                trail.created(sc, tech, "checked", at - dt.timedelta(minutes=5))
            a = Administration(**_fields(t.administration))
            a.pk, a.prescription_id = ids[Administration] + i, rx.pk
            a.administered_at = at
            a.administered_activity_Bq = t.administration.administered_activity_Bq * scale
            batch[Administration].append(a)
            trail.created(a, tech, "administered", at)
            if i % MEDICAL_EVENT_EVERY == MEDICAL_EVENT_EVERY - 1:
                e = MedicalEvent(**_fields(event_template)) if event_template else _medical_event(at)
                e.pk, e.administration_id, e.detected_at = ids[MedicalEvent] + counts["medical_events"], a.pk, at
                counts["medical_events"] += 1
                batch[MedicalEvent].append(e)
                trail.created(e, tech, "detected", at)
        write(batch)
        if progress:
            print(
                f"  built {min(start + CHUNK, len(times)):,} / {len(times):,} in {time.perf_counter() - started:.0f} s"
            )
    counts["prescriptions"] = len(times)
    counts["administrations"] = n
    counts["audit_events"] = trail.seq
    _after_bulk_load()
    return counts


def _medical_event(at: dt.datetime):
    """An open event as the NRC profile words one (the demo has none to copy)."""
    from nmguard.apps.patients.models import MedicalEvent

    return MedicalEvent(
        profile="nrc",
        criteria=[
            {
                "description": "administered activity differs from the prescribed by more than 20 %",
                "citation": "10 CFR 35.3045(a)(1)",
            }
        ],
        reporting_steps=[
            {
                "id": "notify-nrc",
                "action": "Notify the NRC Operations Center by telephone",
                "due": (at + dt.timedelta(days=1)).isoformat(),
                "citation": "10 CFR 35.3045(c)",
            }
        ],
        status="open",
    )


def _after_bulk_load() -> None:
    """Sequences past the explicit ids (PostgreSQL) and planner statistics (both), as an operator would."""
    from django.apps import apps
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            models_ = [m for m in apps.get_models() if m._meta.app_label in ("patients", "core")]
            for sql in connection.ops.sequence_reset_sql(no_style(), models_):
                cursor.execute(sql)
        cursor.execute("ANALYZE")
