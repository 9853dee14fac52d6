"""Importing the dosimetry service's file, and correcting a reading: the only ways readings are written.

The file is judged by :func:`nmguard.protection.readings.parse_readings` against the readings already held
(the current ones), so duplicates and overlaps are found by the same rule the CLI and the page preview use.
By default a file with any bad row stores nothing and lists every bad row; ``skip_invalid`` stores the
good rows and keeps the rejected ones on the import record. Re-importing the same readings changes
nothing (no record is written when nothing would change). A changed value for a held period is refused by
the import and made through :func:`correct_reading`, which supersedes the old reading with the reason kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import connection, transaction

from nmguard.apps.core.actor import acting_as
from nmguard.apps.protection.models import DoseImport, DoseReading, Worker
from nmguard.errors import InputError
from nmguard.protection import readings as pure

WRITE_PERMISSION = "protection.add_dosereading"


class ImportRefused(InputError):
    """A file with bad rows, imported all-or-nothing: nothing was stored; ``result`` lists every bad row."""

    def __init__(self, result: ImportResult) -> None:
        n = len(result.rejected)
        super().__init__(
            f"{n} bad row{'s' if n != 1 else ''} (first: row {result.rejected[0]['row']}: "
            f"{result.rejected[0]['reason']}); nothing imported",
            "file",
        )
        self.result = result


@dataclass
class ImportResult:
    """What an import did or would do; ``as_dict`` has the CLI's ``--json`` keys."""

    file_name: str
    sha256: str
    rows: int
    imported: int
    duplicates: int
    new_workers: list[str]
    rejected: list[dict[str, object]]
    stored: bool = False
    batch_id: int | None = None
    readings: tuple[pure.DoseReading, ...] = field(default=(), repr=False)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file_name,
            "sha256": self.sha256,
            "rows": self.rows,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "new_workers": self.new_workers,
            "rejected": self.rejected,
            "stored": self.stored,
            "import_id": self.batch_id,
        }


def check_may_write(user) -> None:
    """Refuse (InputError on ``user``) a person whose role may not write protection records."""
    if user is None or not user.is_active or not user.has_perm(WRITE_PERMISSION):
        name = getattr(user, "username", "nobody")
        raise InputError(
            f"{name} may not write staff dose records (roles: radiation protection officer, medical physicist)",
            "user",
        )


def _serialize_writes() -> None:
    """Imports and corrections judge the held readings, then write: on PostgreSQL two at once could both
    judge a row new. A transaction-scoped advisory lock runs them one after the other (SQLite already
    serializes writers, and refuses a writer whose snapshot is stale)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('nmguard.protection.dose_readings'))")


def held_readings(worker_ids: set[str] | None = None) -> list[pure.DoseReading]:
    """The current (not superseded) readings as the pure module's readings, from one query."""
    qs = DoseReading.objects.filter(superseded_by__isnull=True)
    if worker_ids is not None:
        qs = qs.filter(worker__worker_id__in=worker_ids)
    # the register's name, for the record; the pure reading's identity leaves the name out
    fields = ("worker__worker_id", "worker__name", "dosimeter", "period_start", "period_end", "hp10_mSv", "hp007_mSv")
    return [
        pure.DoseReading(w, n, d, s, e, h10, h007, h3)
        for w, n, d, s, e, h10, h007, h3 in qs.order_by().values_list(*fields, "hp3_mSv")
    ]


def _as_bytes(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def judge(data: str | bytes, file_name: str) -> ImportResult:
    """What importing ``data`` would do now, storing nothing (the page's preview, and the import's first step)."""
    parsed = pure.parse_readings(
        data, held=held_readings(), known_workers=Worker.objects.values_list("worker_id", flat=True)
    )
    return ImportResult(
        file_name=file_name,
        sha256=hashlib.sha256(_as_bytes(data)).hexdigest(),
        rows=parsed.rows,
        imported=len(parsed.readings),
        duplicates=len(parsed.duplicates),
        new_workers=list(parsed.new_workers),
        rejected=[{"row": b.row, "field": b.field, "reason": b.message} for b in parsed.bad_rows],
        readings=parsed.readings,
    )


def import_readings(data: str | bytes, file_name: str, user, *, skip_invalid: bool = False) -> ImportResult:
    """Import the file as ``user`` (one transaction); raises :class:`ImportRefused` when all-or-nothing fails."""
    check_may_write(user)
    file_name = (file_name or "upload.csv")[:255]
    with transaction.atomic(), acting_as(user, reason=f"staff dose import: {file_name}"):
        _serialize_writes()
        result = judge(data, file_name)
        if result.rejected and not skip_invalid:
            raise ImportRefused(result)
        if not result.readings:  # every row a duplicate (or rejected): nothing changes, nothing is recorded
            result.imported = 0
            return result
        batch = DoseImport.objects.create(
            file_name=file_name,
            sha256=result.sha256,
            imported_by=user,
            skip_invalid=skip_invalid,
            rows=result.rows,
            imported=result.imported,
            duplicates=result.duplicates,
            new_workers=result.new_workers,
            rejected=result.rejected,
        )
        workers = {w.worker_id: w for w in Worker.objects.filter(worker_id__in={r.worker_id for r in result.readings})}
        for r in result.readings:
            if r.worker_id not in workers:
                workers[r.worker_id] = Worker.objects.create(worker_id=r.worker_id, name=r.name)
            DoseReading.objects.create(
                worker=workers[r.worker_id],
                dosimeter=r.dosimeter,
                period_start=r.period_start,
                period_end=r.period_end,
                hp10_mSv=r.hp10_mSv,
                hp007_mSv=r.hp007_mSv,
                hp3_mSv=r.hp3_mSv,
                batch=batch,
            )
        result.stored, result.batch_id = True, batch.pk
        return result


def correct_reading(reading: DoseReading, values: Mapping[str, float | None], reason: str, user) -> DoseReading:
    """Supersede ``reading`` by one with the same worker, dosimeter and period and the corrected doses.

    ``values`` gives the dose fields to change (``hp10_mSv``, ``hp007_mSv``, ``hp3_mSv``; None: not measured);
    the others are kept. The old reading stays, pointing at its successor with ``reason``."""
    check_may_write(user)
    reason = (reason or "").strip()
    if not reason:
        raise InputError("reason: say why the reading is corrected", "reason")
    if unknown := set(values) - set(pure.DOSE_FIELDS):
        raise InputError(
            f"values: only {', '.join(pure.DOSE_FIELDS)} can be corrected ({', '.join(unknown)})", "values"
        )
    with transaction.atomic(), acting_as(user, reason=f"dose reading corrected: {reason}"):
        _serialize_writes()
        old = DoseReading.objects.select_for_update().select_related("worker").get(pk=reading.pk)
        if not old.current:
            raise InputError("this reading was already corrected: correct its successor", "reading")
        doses = {name: values.get(name, getattr(old, name)) for name in pure.DOSE_FIELDS}
        checked = pure.DoseReading(  # the pure rules judge the new values (raises InputError naming the field)
            old.worker.worker_id, "", old.dosimeter, old.period_start, old.period_end, **doses
        )
        if checked == old.as_pure(name=""):
            raise InputError("values: the same as the reading held; nothing to correct", "values")
        new = DoseReading.objects.create(
            worker=old.worker,
            dosimeter=old.dosimeter,
            period_start=old.period_start,
            period_end=old.period_end,
            batch=None,
            **doses,
        )
        old.superseded_by, old.supersede_reason = new, reason
        old.save(update_fields=["superseded_by", "supersede_reason", "updated_at"])
        return new
