"""Code the drill runs in child processes with Django set up on the drill's database (the driver itself
never imports Django: it talks to NMGuard as a client does, over HTTP and the command line)."""

from __future__ import annotations

import textwrap

# Ids the simulated users need, and the expected check-source reading for today (project's own decay law).
SETUP = textwrap.dedent(
    """
    import json, sys
    from nmguard.cli.service import setup_django
    setup_django(None)
    from django.utils import timezone
    from nmguard.apps.equipment.models import QCSchedule
    from nmguard.apps.patients.models import Protocol
    from nmguard.apps.therapy import dosimetry_jobs
    from nmguard.synthetic.patient import write_synthetic_study
    from nmguard.physics.decay import decay_activity
    from nmguard.reference.nuclides import get_nuclide
    protocol = Protocol.objects.get(name__startswith="Oncology PET (18F-FDG")
    schedule = QCSchedule.objects.select_related("check_source", "equipment").get(test__catalogue_id="am-constancy")
    src = schedule.check_source
    expected = decay_activity(src.certified_activity_Bq, get_nuclide(src.nuclide).half_life_s, src.certified_at,
                              timezone.now()).activity_Bq
    for name in sys.argv[1:]:
        write_synthetic_study(dosimetry_jobs.inbox_root() / name, shape=(40, 64, 64), voxel_mm=5.0,
                              times_h=(4, 24, 96), write_rtstruct=False)
    print(json.dumps({"protocol_id": protocol.pk, "radiopharmaceutical_id": protocol.radiopharmaceutical_id,
                      "meter_id": schedule.equipment_id, "schedule_id": schedule.pk,
                      "check_reading_MBq": expected / 1e6}))
    """
)

# Queue a dosimetry job on a study in the inbox, as the demo physicist; prints the job id (or the error).
SUBMIT = textwrap.dedent(
    """
    import sys
    from nmguard.cli.service import setup_django
    setup_django(None)
    from nmguard.apps.core.models import User
    from nmguard.apps.therapy import dosimetry_jobs
    from nmguard.dosimetry.run_options import RunOptions
    job = dosimetry_jobs.submit_folder(study_dir=sys.argv[1], title="drill " + sys.argv[1],
                                       options=RunOptions(method="dvk"), user=User.objects.get(username="physicist"))
    print(job.pk)
    """
)

JOB = textwrap.dedent(
    """
    import json, sys
    from nmguard.cli.service import setup_django
    setup_django(None)
    from nmguard.apps.therapy.models import DosimetryJob
    j = DosimetryJob.objects.get(pk=int(sys.argv[1]))
    print(json.dumps({"status": j.status, "progress": j.progress, "attempts": j.attempts, "message": j.message,
                      "output_dir": j.output_dir}))
    """
)

# Every acknowledged write against the database: present, as acknowledged, with its audit event; and the
# whole database: no clinical row without its create event, no job left running or queued.
VERIFY = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from nmguard.cli.service import setup_django
    setup_django(None)
    from django.apps import apps
    from nmguard.apps.core.models import AuditEvent
    from nmguard.apps.therapy.models import DosimetryJob
    acks = json.loads(Path(sys.argv[1]).read_text())
    problems = []
    checked = 0
    for ack in acks:
        model = apps.get_model(ack["model"])
        row = model.objects.filter(pk=ack["id"]).values(*ack["fields"]).first()
        checked += 1
        if row is None:
            problems.append(f"lost: {ack['model']} {ack['id']} was acknowledged but is not in the database")
            continue
        for field, value in ack["fields"].items():
            got = row[field]
            same = abs(got - value) <= 1e-9 * max(1.0, abs(value)) if isinstance(value, float) else got == value
            if not same:
                problems.append(f"changed: {ack['model']} {ack['id']} {field} = {got!r}, acknowledged {value!r}")
    audited = {}
    for label in sorted({a["model"] for a in acks}):
        created = set(AuditEvent.objects.filter(model_label=label, action="create").values_list("object_id", flat=True))
        ids = [str(pk) for pk in apps.get_model(label).objects.values_list("pk", flat=True)]
        missing = [pk for pk in ids if pk not in created]
        audited[label] = {"rows": len(ids), "without_create_event": len(missing)}
        if missing:
            problems.append(f"half-written: {label} {missing[:5]} have no create audit event")
    jobs = {s: DosimetryJob.objects.filter(status=s).count() for s in ("queued", "running", "succeeded", "failed")}
    from nmguard.apps.therapy.dosimetry_jobs import jobs_root
    for j in DosimetryJob.objects.filter(status="succeeded"):
        if not j.output_dir or not (jobs_root() / j.output_dir).is_dir():
            problems.append(f"job {j.pk} succeeded without its output folder {j.output_dir!r}")
    if jobs["running"] or jobs["queued"]:
        problems.append(f"jobs not finished: {jobs}")
    print(json.dumps({"ok": not problems, "acknowledged_checked": checked, "problems": problems,
                      "audited": audited, "jobs": jobs}))
    """
)
