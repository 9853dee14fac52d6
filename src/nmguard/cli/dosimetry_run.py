"""``nmguard dosimetry run | batch | compare`` and ``nmguard worker``: whole dosimetry runs from the shell."""

from __future__ import annotations

import json as jsonlib
import sys
import time
from pathlib import Path

import typer

from nmguard.cli.output import emit_json, emit_table

JSON = typer.Option(False, "--json", help="Print one JSON object instead of a table.")


def read_json(path: Path) -> dict:
    return jsonlib.loads(path.read_text(encoding="utf-8"))


class _ProgressBar:
    """A one-line progress bar on a terminal's stderr (none under --json or when stderr is a file/pipe, so
    that an error stays the one line a script reads)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.started = time.perf_counter()
        self.open = False

    def close(self) -> None:
        """End the bar's line (before an error message, for instance)."""
        if self.open:
            sys.stderr.write("\n")
            self.open = False

    def __call__(self, step: str, fraction: float) -> None:
        if not self.enabled:
            return
        self.open = fraction < 1.0
        filled = int(30 * fraction)
        elapsed = time.perf_counter() - self.started
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (30 - filled)}] {100 * fraction:5.1f} %  {elapsed:6.1f} s  {step[:40]:<40}"
        )
        if fraction >= 1.0:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _options(
    method,
    device,
    tia_model,
    no_scale,
    deformable,
    calibration,
    histories,
    seed,
    uncertainty,
    thresholds=(),
    nuclide=None,
    injection_time=None,
):
    from nmguard.dosimetry.run_options import RunOptions

    return RunOptions(
        method=method,
        device=device,
        tia_model=tia_model,
        scale_voxel_tia_to_voi=not no_scale,
        deformable_registration=deformable,
        calibration_cps_per_MBq=calibration,
        mc_histories=histories,
        seed=seed,
        activity_uncertainty_percent=uncertainty,
        threshold_vois=tuple(thresholds or ()),
        nuclide=nuclide,
        injection_time=injection_time,
    ).checked()


METHOD = typer.Option("dvk", "--method", help="ld (local deposition), dvk (dose voxel kernel) or mc (Monte Carlo)")
DEVICE = typer.Option("cpu", "--device", help="cpu or gpu (Monte Carlo only)")
TIA_MODEL = typer.Option(
    "auto",
    "--tia-model",
    help="auto, mono, bi, tri, bi_clearance, trapezoid or hybrid (per VOI); for one time point auto, haenscheid or "
    "physical (auto: physical decay only for MAA and microspheres, else Hänscheid)",
)
NO_SCALE = typer.Option(False, "--no-voi-scaling", help="keep the voxel TIAs as integrated, not scaled to the VOI fits")
DEFORMABLE = typer.Option(False, "--deformable", help="deformable registration after rigid")
CALIBRATION = typer.Option(None, "--calibration-cps-per-MBq", help="needed when the SPECT is in counts")
HISTORIES = typer.Option(1_000_000, "--histories", help="Monte Carlo photon histories")
SEED = typer.Option(0, "--seed", help="Monte Carlo random seed")
UNCERTAINTY = typer.Option(None, "--activity-uncertainty-percent", help="per time point, for weighted fits")
NUCLIDE = typer.Option(
    None,
    "--nuclide",
    help="the radionuclide (e.g. Tc-99m) where the files' codes are missing or in a scheme NMGuard does not read; "
    "refused when it contradicts codes it reads",
)
INJECTION_TIME = typer.Option(
    None,
    "--injection-time",
    help="the injection date and time (e.g. 2020-12-22T12:05, in the zone of the files' times unless an offset is "
    "given) where the files give none; refused when it contradicts the files",
)
THRESHOLD = typer.Option(
    None,
    "--threshold-voi",
    help="a VOI drawn by threshold on time point 1: name=fraction of the maximum[@seed VOI]; repeatable",
)


def run(
    study_dir: Path = typer.Argument(
        ..., help="folder of DICOM series (SPECT/CT or PET/CT per time point, SEG/RTSTRUCT)"
    ),
    method: str = METHOD,
    device: str = DEVICE,
    out: Path | None = typer.Option(None, "--out", help="output folder (default: STUDY_DIR-dosimetry-<time>)"),
    tia_model: str = TIA_MODEL,
    no_scale: bool = NO_SCALE,
    deformable: bool = DEFORMABLE,
    calibration: float | None = CALIBRATION,
    histories: int = HISTORIES,
    seed: int = SEED,
    uncertainty: float | None = UNCERTAINTY,
    threshold_voi: list[str] | None = THRESHOLD,
    nuclide: str | None = NUCLIDE,
    injection_time: str | None = INJECTION_TIME,
    json: bool = JSON,
) -> None:
    """The whole pipeline on a folder of DICOM series: writes RT Dose, a Parametric Map, results.json, report.html."""
    from nmguard.dosimetry.pipeline import run_dosimetry
    from nmguard.outputs.dosimetry_run import check_out_dir, default_out_dir, write_outputs

    options = _options(
        method,
        device,
        tia_model,
        no_scale,
        deformable,
        calibration,
        histories,
        seed,
        uncertainty,
        threshold_voi,
        nuclide,
        injection_time,
    )
    out_dir = check_out_dir(out or default_out_dir(study_dir, "dosimetry"))  # refused before the run
    bar = _ProgressBar(enabled=not json)
    try:
        run_result = run_dosimetry(study_dir, options, progress=bar)
    finally:
        bar.close()
    paths = write_outputs(run_result, out_dir)
    doc = read_json(paths["results"])  # what was stored, exactly
    if json:
        emit_json({**doc, "outputs": {k: str(v) for k, v in paths.items()}})
        return
    rows = [
        ("Patient", f"{run_result.patient_id} {run_result.patient_name}"),
        ("Nuclide", f"{run_result.nuclide}, {run_result.injected_activity_MBq:.5g} MBq"),
        ("Time points", ", ".join(f"{t:.4g} h" for t in run_result.times_h)),
        (
            "Method",
            options.method
            + (f" ({options.device}, {options.mc_histories} histories)" if options.method == "mc" else ""),
        ),
    ]
    for v in run_result.vois:
        unc = f" ± {v.mean_uncertainty_percent:.2g} %" if v.mean_uncertainty_percent is not None else ""
        bed = f", BED {v.bed_Gy:.3g} Gy" if v.bed_Gy is not None else ""
        rows.append(
            (
                v.name,
                f"mean {v.mean_Gy:.4g} Gy{unc}, D2 {v.D2_Gy:.3g}, D98 {v.D98_Gy:.3g} Gy, "
                f"TIA {v.tia_MBq_h:.4g} MBq·h ({v.tia_model}){bed}",
            )
        )
    rows += [("Warning", w) for w in run_result.warnings]
    rows += [
        ("RT Dose", str(paths["rt_dose"])),
        ("Parametric Map", str(paths["parametric_map"])),
        ("Results", str(paths["results"])),
        ("Report", str(paths["report"])),
    ]
    emit_table(rows, title="Dosimetry run")


def batch(
    study_dirs: list[Path] = typer.Argument(..., help="study folders"),
    out: Path = typer.Option(..., "--out", help="output root: one folder per study"),
    method: str = METHOD,
    tia_model: str = TIA_MODEL,
    calibration: float | None = CALIBRATION,
    histories: int = HISTORIES,
    seed: int = SEED,
    json: bool = JSON,
) -> None:
    """Many studies through Dask (local process pool, or NMGUARD_DASK_SCHEDULER)."""
    from nmguard.compute.batch import run_batch

    options = _options(method, "cpu", tia_model, False, False, calibration, histories, seed, None)
    rows = run_batch(study_dirs, options, out)
    if json:
        emit_json({"studies": rows})
    else:
        emit_table(
            [
                (
                    r["study"],
                    r["status"] + (f": {r['message']}" if r["status"] == "failed" else f" in {r['seconds']} s"),
                )
                for r in rows
            ],
            title="Batch dosimetry",
        )
    if any(r["status"] == "failed" for r in rows):
        raise typer.Exit(1)


def compare(
    a: Path = typer.Argument(..., help="results.json of a run, or a CSV (voi, mean_Gy, uncertainty_percent)"),
    b: Path = typer.Argument(..., help="the other system's results, same formats"),
    json: bool = JSON,
) -> None:
    """Compare two systems' VOI doses: difference and its significance given both stated uncertainties."""
    from nmguard.exchange.dosimetry_results import compare_results, read_results

    result = compare_results(read_results(a), read_results(b))
    if json:
        emit_json(result)
        return
    rows = []
    for r in result["vois"]:
        if "a_mean_Gy" not in r:
            rows.append((r["voi"], r["status"]))
            continue
        z = f", z = {r['z']:.2f}" if r["z"] is not None else ""
        pct = f" ({r['difference_percent']:+.1f} %)" if r["difference_percent"] is not None else ""
        rows.append(
            (
                r["voi"],
                f"{r['a_mean_Gy']:.4g} vs {r['b_mean_Gy']:.4g} Gy: "
                f"{r['difference_Gy']:+.3g} Gy{pct}{z} — {r['status']}",
            )
        )
    emit_table(rows, title=f"{result['a']['system']} vs {result['b']['system']} (k = {result['coverage_factor_k']:g})")


def worker(
    once: bool = typer.Option(False, "--once", help="run the queued jobs, then stop"),
    poll_s: float = typer.Option(2.0, "--poll-s", help="seconds between looks at the queue"),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="data folder (default: NMGUARD_DATA_DIR)"),
    dask: str | None = typer.Option(
        None, "--dask", help="run the queued jobs on the Dask cluster of this scheduler (tcp://host:8786), then stop"
    ),
    tasks: int = typer.Option(4, "--tasks", help="with --dask: queue-draining tasks to send (about one per worker)"),
) -> None:
    """Run queued dosimetry jobs (the durable queue on the database), here or on a Dask cluster."""
    from nmguard.cli.service import setup_django

    setup_django(data_dir)
    if dask:
        from django.conf import settings

        from nmguard.apps.therapy.cluster import run_queue_on_cluster

        for row in run_queue_on_cluster(dask, settings.DATA_DIR, tasks):
            message = " - " + row["message"] if row["message"] else ""
            print(f"job {row['job']}: {row['status']} on {row['worker']}{message}", flush=True)
        return
    from nmguard.apps.therapy.worker_loop import run_worker

    run_worker(
        poll_s=poll_s,
        once=once,
        say=lambda text: print(text, flush=True),
        warn=lambda text: print(text, file=sys.stderr, flush=True),
    )


def add_commands(sub: typer.Typer, app: typer.Typer) -> None:
    sub.command("run")(run)
    sub.command("batch")(batch)
    sub.command("compare")(compare)
    app.command("worker")(worker)
