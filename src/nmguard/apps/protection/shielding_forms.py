"""Forms of the shielding pages: a room with its workload, a point of interest, the what-if profile.

The forms only read the typed values; the rules (whole patients, 0 < T <= 1, a known nuclide, a distance above
zero, what the pure layer can compute) are in :mod:`nmguard.apps.protection.room_services`, shared with the API,
and their refusals are shown by the field they name."""

from __future__ import annotations

from django import forms

from nmguard.apps.core.form_fields import ActivityField
from nmguard.apps.protection.room_models import PointOfInterest, ShieldingRoom
from nmguard.apps.protection.shielding_results import OTHER
from nmguard.apps.protection.staff_sums import PROFILES
from nmguard.reference.shielding import occupancy_choices
from nmguard.web.input_bounds import BoundedFormMixin

NUMBER = forms.NumberInput({"step": "any"})


def _minutes(label: str) -> forms.FloatField:
    return forms.FloatField(required=False, label=label, widget=NUMBER)


class RoomForm(BoundedFormMixin, forms.Form):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=ShieldingRoom.Kind.choices)
    nuclide = forms.CharField(max_length=16, initial="F-18", help_text="PET rooms: F-18 (TG-108)")
    activity = ActivityField(label="Activity per patient or source", help_text="e.g. 370 MBq, 10 mCi, 20 GBq")
    per_week = forms.IntegerField(label="Patients (or sources handled) per week", min_value=1, max_value=100000)
    uptake_min = _minutes("PET: uptake time (min from injection)")
    imaging_min = _minutes("PET imaging room: scan time (min)")
    voiding = forms.BooleanField(required=False, initial=True, label="PET imaging room: the patient voids first")
    stay_min = _minutes("SPECT, hot lab, therapy: minutes each stays or is handled")
    delay_min = _minutes("SPECT, hot lab, therapy: minutes from the activity's time to the stay")
    notes = forms.CharField(required=False, widget=forms.Textarea({"rows": 2}))
    reason = forms.CharField(required=False, max_length=500, label="Why the room changes (edits)")

    @staticmethod
    def initial_for(room: ShieldingRoom) -> dict[str, object]:
        fields = ("name", "kind", "nuclide", "per_week", "uptake_min", "imaging_min", "voiding", "stay_min")
        return {
            **{f: getattr(room, f) for f in fields},
            "delay_min": room.delay_min or None,
            "notes": room.notes,
            "activity": f"{room.activity_MBq:g} MBq",
        }

    def data_for_service(self) -> dict[str, object]:
        data = dict(self.cleaned_data)
        data["activity_MBq"] = data.pop("activity") / 1e6  # ActivityField gives Bq
        data.pop("reason", None)
        return data


def occupancy_field_choices() -> list[tuple[str, str]]:
    """The suggested classes from data, each with its T, then "other" (the department types T)."""
    return [(c.key, f"{c.factor.value:g} · {c.label}") for c in occupancy_choices().values()] + [
        (OTHER, "Other (type T below)")
    ]


class PointForm(BoundedFormMixin, forms.Form):
    barrier = forms.CharField(max_length=60, help_text="e.g. wall N, door, floor, ceiling")
    location = forms.CharField(max_length=120, label="Beyond the barrier", help_text="e.g. office, corridor")
    distance_m = forms.FloatField(label="Distance source to point (m)", widget=NUMBER)
    occupancy_choice = forms.ChoiceField(label="Occupancy (NCRP 147 / TG-108 suggested)", choices=[])
    occupancy = forms.FloatField(required=False, label="Occupancy factor T, for 'other' (0 < T ≤ 1)", widget=NUMBER)
    area = forms.ChoiceField(choices=PointOfInterest.Area.choices, help_text="Sets the design goal")
    material = forms.ChoiceField(required=False, choices=PointOfInterest.Material.choices, label="Existing barrier")
    thickness_mm = forms.FloatField(required=False, label="Existing barrier thickness (mm)", widget=NUMBER)
    other_room = forms.ModelChoiceField(
        queryset=ShieldingRoom.objects.none(), required=False, label="Another room whose source reaches the point"
    )
    other_distance_m = forms.FloatField(required=False, label="Its source to the point (m)", widget=NUMBER)
    reason = forms.CharField(required=False, max_length=500, label="Why the point changes (edits)")

    def __init__(self, *args, room: ShieldingRoom, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occupancy_choice"].choices = occupancy_field_choices()
        self.fields["other_room"].queryset = ShieldingRoom.objects.exclude(pk=room.pk)

    @staticmethod
    def initial_for(point: PointOfInterest) -> dict[str, object]:
        fields = ("barrier", "location", "distance_m", "occupancy_choice", "area", "material", "thickness_mm")
        return {
            **{f: getattr(point, f) for f in fields},
            "occupancy": point.occupancy if point.occupancy_choice == OTHER else None,
            "other_room": point.other_room_id,
            "other_distance_m": point.other_distance_m,
        }

    def data_for_service(self) -> dict[str, object]:
        data = dict(self.cleaned_data)
        data.pop("reason", None)
        return data


class ProfileForm(forms.Form):
    profile = forms.ChoiceField(
        required=False,
        choices=[("", "Department's jurisdiction"), *((p, p.upper()) for p in PROFILES)],
        label="Profile (what if)",
    )
