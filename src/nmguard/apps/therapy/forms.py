"""Forms of therapy courses (parsing only)."""

from __future__ import annotations

from django import forms

from nmguard.errors import InputError


class EligibilityForm(forms.Form):
    """One field per criterion of the protocol, built at run time."""

    def __init__(self, criteria, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for c in criteria:
            self.fields[c["quantity"]] = forms.FloatField(
                required=False,
                label=f"{c['quantity']} ({c.get('unit', '')}) — needs {c['comparator']} {c['threshold']}",
            )


class CycleDosesForm(forms.Form):
    doses = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One organ per line: organ = dose in Gy (e.g. kidneys = 3.2)",
    )
    method = forms.CharField(initial="dosimetry")
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason (when the cycle already has doses)",
        help_text="The recorded doses stay in the history; say why these replace them",
    )

    def clean_doses(self):
        out = {}
        for n, line in enumerate(self.cleaned_data["doses"].splitlines(), start=1):
            if not line.strip():
                continue
            organ, sep, value = line.partition("=")
            try:
                out[organ.strip()] = float(value)
            except ValueError:
                raise forms.ValidationError(f"line {n}: write organ = dose in Gy") from None
            if not sep or not organ.strip():
                raise forms.ValidationError(f"line {n}: write organ = dose in Gy")
        if not out:
            raise forms.ValidationError("give at least one organ dose")
        return out


class RecordDosesForm(forms.Form):
    """Record a run's VOI doses for its cycle: the VOI → organ mapping (proposed, to confirm or edit), and,
    where needed, the reason for superseding earlier doses and the signed reason for a study mismatch."""

    def __init__(self, check, *args, **kwargs):
        from nmguard.physics.display import format_sig

        super().__init__(*args, **kwargs)
        self.vois = check.vois
        for i, v in enumerate(check.vois):
            mass = f", {format_sig(v.mass_g, 3)} g" if v.mass_g else ""
            self.fields[f"organ_{i}"] = forms.CharField(
                required=False,
                initial=check.proposal.get(v.name, ""),
                label=f"{v.name} ({format_sig(v.mean_Gy, 3)} Gy{mass}) → organ",
                help_text="empty: not recorded",
            )
        self.fields["mapping_confirmed"] = forms.BooleanField(
            required=False, label="I checked every VOI → organ line above"
        )
        if check.has_doses:
            self.fields["reason"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
                label=f"Why these doses replace the ones recorded for cycle {check.cycle.number}",
            )
        if check.mismatches:
            self.fields["mismatch_reason"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
                label="Why this study belongs to this cycle although it does not match",
            )
            self.fields["password"] = forms.CharField(
                required=False, widget=forms.PasswordInput, label="Your password (e-signature)"
            )

    def mapping(self) -> dict[str, str]:
        return {v.name: self.cleaned_data.get(f"organ_{i}", "") for i, v in enumerate(self.vois)}


class DosimetryJobForm(forms.Form):
    """A dosimetry run: the study (a zip of its DICOM series) and every method choice."""

    title = forms.CharField(max_length=200, help_text="e.g. the patient and cycle")
    study_zip = forms.FileField(
        label="Study (zip of the DICOM series)",
        help_text="SPECT/CT or PET/CT at each time point, with a DICOM SEG or RTSTRUCT of the VOIs",
    )
    method = forms.ChoiceField(
        choices=[
            ("dvk", "Dose voxel kernel (electrons and photons), density-scaled"),
            ("ld", "Local deposition (electrons only)"),
            ("mc", "Monte Carlo photons + local electrons"),
        ]
    )
    device = forms.ChoiceField(choices=[("cpu", "CPU"), ("gpu", "GPU (Monte Carlo only)")], initial="cpu")
    tia_model = forms.ChoiceField(
        choices=[
            ("auto", "auto (chosen per VOI; one time point: physical decay for MAA/microspheres, else Hänscheid)"),
            ("mono", "mono-exponential"),
            ("bi", "bi-exponential with uptake"),
            ("tri", "tri-exponential"),
            ("bi_clearance", "two clearance components"),
            ("trapezoid", "trapezoids with physical-decay tail"),
            ("hybrid", "trapezoids, then a fitted tail"),
            ("haenscheid", "one time point: Hänscheid"),
            ("physical", "one time point: physical decay only"),
        ],
        initial="auto",
        label="TIA model per VOI",
    )
    scale_voxel_tia_to_voi = forms.BooleanField(required=False, initial=True, label="Scale voxel TIAs to the VOI fits")
    deformable_registration = forms.BooleanField(required=False, label="Deformable registration after rigid")
    calibration_cps_per_MBq = forms.FloatField(
        required=False, label="Calibration factor (cps/MBq)", help_text="needed when the SPECT is in counts"
    )
    activity_uncertainty_percent = forms.FloatField(
        required=False, label="Activity uncertainty (%)", help_text="per time point, for weighted fits"
    )
    mc_histories = forms.IntegerField(initial=1_000_000, min_value=1000, label="Monte Carlo photon histories")
    seed = forms.IntegerField(initial=0, min_value=0, label="Random seed")
    threshold_vois = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Threshold VOIs (optional)",
        help_text="One per line: name = fraction of the maximum, optionally @ a VOI to search within "
        "(e.g. Tumour = 0.4 @ Liver); drawn on the first time point",
    )
    nuclide = forms.CharField(
        required=False,
        max_length=20,
        label="Radionuclide (optional)",
        help_text="only where the files' codes are missing or in a scheme NMGuard does not read, e.g. Tc-99m",
    )
    injection_time = forms.CharField(
        required=False,
        max_length=40,
        label="Injection time (optional)",
        help_text="only where the files give none, e.g. 2020-12-22T12:05 (the zone of the files' times unless an "
        "offset is given)",
    )
    cycle = forms.ModelChoiceField(queryset=None, required=False, label="Therapy cycle (optional)")

    def __init__(self, *args, **kwargs):
        from nmguard.apps.therapy.models import TherapyCycle

        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = TherapyCycle.objects.select_related("course__patient", "course__protocol")
        self.fields["cycle"].label_from_instance = lambda c: f"{c.course} — cycle {c.number}"

    def clean_nuclide(self) -> str:
        from nmguard.reference.nuclides import normalize_nuclide_name

        text = self.cleaned_data.get("nuclide", "").strip()
        if not text:
            return ""
        try:
            return normalize_nuclide_name(text)
        except InputError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_injection_time(self) -> str:
        import datetime as dt

        from nmguard.imaging.study import parse_injection_time

        text = self.cleaned_data.get("injection_time", "").strip()
        if text:
            try:
                parse_injection_time(text, dt.UTC)  # the zone is the files', known when the study is read
            except InputError as exc:
                raise forms.ValidationError(exc.message) from None
        return text

    def options(self):
        from nmguard.dosimetry.run_options import RunOptions

        d = self.cleaned_data
        return RunOptions(
            method=d["method"],
            device=d["device"],
            tia_model=d["tia_model"],
            scale_voxel_tia_to_voi=d["scale_voxel_tia_to_voi"],
            deformable_registration=d["deformable_registration"],
            calibration_cps_per_MBq=d["calibration_cps_per_MBq"],
            activity_uncertainty_percent=d["activity_uncertainty_percent"],
            mc_histories=d["mc_histories"],
            seed=d["seed"],
            threshold_vois=tuple(line.strip() for line in d["threshold_vois"].splitlines() if line.strip()),
            nuclide=d.get("nuclide") or None,
            injection_time=d.get("injection_time") or None,
        )


class SirtPlanForm(forms.Form):
    """A Y-90 microsphere plan for a cycle: the MAA SPECT/CT study from the DICOM inbox and the plan's choices.

    Field names are those of :class:`~nmguard.dosimetry.sirt.SirtOptions`, so a refusal of the calculation's
    checks lands next to its field. The lung shunt fraction is entered in percent (as it is reported)."""

    study_dir = forms.ChoiceField(label="MAA SPECT/CT study (DICOM inbox)", help_text="with its RTSTRUCT or SEG")
    activity = forms.CharField(label="Planned Y-90 activity", help_text="with unit, e.g. 2.5 GBq")
    microspheres = forms.ChoiceField(
        required=False,
        choices=[("", "Glass and resin (compare)"), ("glass", "Glass"), ("resin", "Resin")],
    )
    method = forms.ChoiceField(choices=[("ld", "Local deposition"), ("dvk", "Dose voxel kernel")], label="Dose method")
    voi_liver = forms.CharField(required=False, label="Whole-liver VOI(s)", help_text="comma-separated; empty: 'Liver'")
    voi_tumour = forms.CharField(required=False, label="Tumour VOI(s)", help_text="comma-separated; optional")
    voi_lungs = forms.CharField(
        required=False, label="Lung VOI(s)", help_text="comma-separated; empty: names with 'lung'"
    )
    lsf = forms.FloatField(
        required=False, label="Lung shunt fraction (%)", help_text="e.g. from planar images; empty: from the SPECT VOIs"
    )
    title = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, studies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["study_dir"].choices = [("", "—")] + [(s, s) for s in studies]

    def clean_activity(self) -> float:
        from nmguard.errors import InputError
        from nmguard.physics.units import parse_activity

        try:
            bq = parse_activity(self.cleaned_data["activity"], "activity")
        except InputError as exc:
            raise forms.ValidationError(exc.message) from None
        if bq <= 0:
            raise forms.ValidationError("the activity must be more than zero")
        return bq / 1e9

    def clean_lsf(self) -> float | None:
        value = self.cleaned_data["lsf"]
        if value is None:
            return None
        if not 0 <= value < 100:
            raise forms.ValidationError("give the lung shunt fraction in percent, from 0 to below 100")
        return value / 100.0

    def options(self):
        from nmguard.dosimetry.sirt import SirtOptions

        d = self.cleaned_data
        return SirtOptions(
            activity_GBq=d["activity"],
            method=d["method"],
            microspheres=d["microspheres"] or None,
            voi_liver=d["voi_liver"].strip() or None,
            voi_tumour=d["voi_tumour"].strip() or None,
            voi_lungs=d["voi_lungs"].strip() or None,
            lsf=d["lsf"],
        )
