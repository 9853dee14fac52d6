"""The listener's database side: importing RRDSRs as dose reports, and naming a QC device.

A received dose report is imported with the same function as an upload
(:func:`nmguard.apps.patients.exchange.import_rrdsr`), attributed to a service account named after
the listener's AE title (``dicom-<AE>``: no role, no usable password, so nobody signs in with it),
and an audit event records the calling AE title and address. Imports are serialised (one at a
time) so that concurrent associations never contend for the embedded database.
"""

from __future__ import annotations

import threading

import pydicom

from nmguard.dicomnet.scp import Peer
from nmguard.errors import InputError

_import_lock = threading.Lock()


def service_username(ae_title: str) -> str:
    return f"dicom-{ae_title.strip()}"


def service_account(ae_title: str):
    """The listener's user (made on first use, role-less, unusable password, creation audited)."""
    from django.contrib.auth import get_user_model

    from nmguard.apps.core.actor import acting_as

    User = get_user_model()
    username = service_username(ae_title)
    user = User.objects.filter(username=username).first()
    if user is None:
        with acting_as(f"dicom-listener:{ae_title}", reason="DICOM listener service account created"):
            user = User(username=username, display_name=f"DICOM listener {ae_title}")
            user.set_unusable_password()
            user.save()
    return user


class DoseReportImporter:
    """``(data, peer) -> (status, detail)`` for :class:`nmguard.dicomnet.scp.Listener`."""

    def __init__(self, ae_title: str) -> None:
        self.ae_title = ae_title
        self._user = None

    def __call__(self, data: bytes, ds: pydicom.Dataset, peer: Peer) -> tuple[str, str]:
        from django.db import transaction

        from nmguard.apps.core.audit import record_event
        from nmguard.apps.patients.exchange import import_rrdsr

        with _import_lock:
            try:
                if self._user is None:  # made on first use: a listener that never gets a report makes no account
                    self._user = service_account(self.ae_title)
                with transaction.atomic():  # the import and the event naming the sender: one business action
                    report = import_rrdsr(data, self._user, dataset=ds)
                    record_event(
                        "dicom_received",
                        instance=report,
                        after={"calling_ae": peer.ae_title, "address": f"{peer.address}:{peer.port}"},
                        reason=f"RRDSR received by DICOM from AE {peer.ae_title} at {peer.address}:{peer.port}",
                        actor=self._user,
                    )
            except InputError as exc:
                return "not imported", exc.message
            except Exception as exc:  # noqa: BLE001 - kept as a file and listed; the listener goes on
                return "not imported", f"{type(exc).__name__}: {exc}"
        return "imported", f"dose report {report.pk} for patient {report.patient.mrn}"


def lookup_device(ds: pydicom.Dataset) -> str | None:
    """The registered equipment whose serial number is the object's Device Serial Number, if any."""
    from nmguard.apps.equipment.models import Equipment

    serial = str(ds.get("DeviceSerialNumber", "") or "").strip()
    if not serial:
        return None
    with _import_lock:
        equipment = Equipment.objects.filter(serial_number__iexact=serial).first()
    return str(equipment) if equipment is not None else None


def close_connection() -> None:
    """Close this thread's database connection (each association runs in its own thread)."""
    from django.db import connection

    connection.close()


def pending_migrations() -> list[str]:
    """The migrations not yet applied to the database (all of them for a new data folder)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
