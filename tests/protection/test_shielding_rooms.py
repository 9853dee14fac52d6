"""Shielding rooms and points of interest (issue 15 item 5, app part): a point's result equals the CLI's for the
same inputs; two rooms seen from one point sum as TG-108 does (checked by hand); the department's profile sets
the design goal; an existing barrier is judged; bad input is refused by its field; changes are attributed."""

from __future__ import annotations

import math

import pytest

from nmguard.errors import InputError
from tests.cli.in_process import in_process

run, run_json = in_process()
UPTAKE = {"name": "Uptake 1", "kind": "pet_uptake", "nuclide": "F-18", "activity_MBq": 555.0, "per_week": 40,
          "uptake_min": 60.0}  # fmt: skip
IMAGING = {"name": "PET/CT", "kind": "pet_imaging", "nuclide": "F-18", "activity_MBq": 555.0, "per_week": 40,
           "uptake_min": 60.0, "imaging_min": 30.0, "voiding": True}  # fmt: skip
F18_HALF_LIFE_MIN = 109.73  # LNHB, as the nuclide table (docs/shielding.md)


@pytest.fixture
def rpo(make_user):
    return make_user("rpo", "rpo1")


def department(jurisdiction: str, user) -> None:
    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.core.models import Department

    with acting_as(user, reason="test"):
        d = Department.objects.first() or Department(name="Test NM")
        d.jurisdiction = jurisdiction
        d.save()


def point(room, user, **change):
    from nmguard.apps.protection.room_services import save_point

    data = {"barrier": "wall N", "location": "office", "distance_m": 3.0, "occupancy_choice": "full",
            "area": "uncontrolled", **change}  # fmt: skip
    return save_point(room, None, data, user)


def room(user, data):
    from nmguard.apps.protection.room_services import save_room

    return save_room(None, dict(data), user)


def test_a_points_result_equals_the_clis(capsys, rpo):
    from nmguard.apps.protection.shielding_results import point_result, result_dict

    department("us-nrc", rpo)
    uptake, imaging = room(rpo, UPTAKE), room(rpo, IMAGING)
    cli_args = {
        uptake: ["--room", "uptake", "--activity", "555 MBq", "--patients-per-week", "40", "--uptake-min", "60"],
        imaging: ["--room", "imaging", "--activity", "555 MBq", "--patients-per-week", "40", "--uptake-min", "60",
                  "--imaging-min", "30"],
    }  # fmt: skip
    for r, args in cli_args.items():
        p = point(r, rpo, distance_m=3.5, occupancy_choice="corridors")
        cli = run_json(capsys, "shielding", "pet", *args, "--distance-m", "3.5", "--occupancy", "0.2",
                       "--area", "uncontrolled", "--profile", "nrc")  # fmt: skip
        mine = result_dict(point_result(p))
        for key in ("weekly_dose_uSv", "transmission_required", "lead_mm", "concrete_mm", "iron_mm",
                    "design_goal_uSv_week"):  # fmt: skip
            assert mine[key] == pytest.approx(cli[key], rel=1e-12), key
        assert [s["value"] for s in mine["steps"]] == pytest.approx([s["value"] for s in cli["steps"]], rel=1e-12)
    # the hot lab with Tc-99m: the same as `shielding source --transmission-only`, and the pure layer's "not yet"
    lab = room(rpo, {"name": "Hot lab", "kind": "hot_lab", "nuclide": "Tc-99m", "activity_MBq": 10000.0,
                     "per_week": 5, "stay_min": 120.0})  # fmt: skip
    p = point(lab, rpo, distance_m=2.0, occupancy_choice="full", area="controlled")
    cli = run_json(capsys, "shielding", "source", "--nuclide", "Tc-99m", "--activity", "10 GBq", "--per-week", "5",
                   "--stay-min", "120", "--distance-m", "2", "--occupancy", "1", "--area", "controlled",
                   "--profile", "nrc", "--transmission-only")  # fmt: skip
    r = point_result(p)
    assert r.result.transmission_required == pytest.approx(cli["transmission_required"], rel=1e-12)
    assert r.result.thickness_mm == {} and r.thickness_note.startswith("not yet")
    code, _, err = run(capsys, "shielding", "source", "--nuclide", "Tc-99m", "--activity", "10 GBq",
                       "--per-week", "5", "--stay-min", "120", "--distance-m", "2", "--occupancy", "1",
                       "--area", "controlled")  # fmt: skip
    assert code == 2 and err.strip() == f"error: {r.thickness_note}"


def test_two_rooms_at_one_point_sum_as_tg108_by_hand(rpo):
    """Uptake room at 3 m and the scanner at 4 m behind one corridor wall (T = 1/5, NRC 20 uSv/week).
    By hand (TG-108's equations, T1/2 = 109.73 min): uptake 40 x 0.092 x 555 x 1 h x R(1 h) / 9 = 188.9;
    imaging 40 x 0.092 x 555 x F_U x 0.5 h x R(0.5 h) x 0.85 / 16 = 33.83; sum 222.7 uSv/week;
    B = 20 / (0.2 x 222.7) = 0.449."""
    from nmguard.apps.protection.shielding_results import point_result

    def r_t(t_h: float) -> float:  # TG-108's 1.443 and 0.693, as the report prints them
        return 1.443 * (F18_HALF_LIFE_MIN / 60 / t_h) * (1 - math.exp(-0.693 * t_h * 60 / F18_HALF_LIFE_MIN))

    department("us-nrc", rpo)
    uptake, imaging = room(rpo, UPTAKE), room(rpo, IMAGING)
    p = point(uptake, rpo, occupancy_choice="corridors", other_room=imaging, other_distance_m=4.0)
    d_uptake = 40 * 0.092 * 555 * 1.0 * r_t(1.0) / 9
    f_u = math.exp(-0.693 * 60 / F18_HALF_LIFE_MIN)
    d_imaging = 40 * 0.092 * 555 * f_u * 0.5 * r_t(0.5) * 0.85 / 16
    assert d_uptake == pytest.approx(188.9, abs=0.1) and d_imaging == pytest.approx(33.83, abs=0.01)
    r = point_result(p)
    assert r.result.weekly_dose_uSv == pytest.approx(d_uptake + d_imaging, rel=5e-4)
    assert r.result.transmission_required == pytest.approx(20 / (0.2 * (d_uptake + d_imaging)), rel=5e-4)
    assert r.result.transmission_required == pytest.approx(0.449, abs=1e-3)
    symbols = [s.symbol for s in r.steps]
    assert "D_week[Uptake 1]" in symbols and "D_week[PET/CT]" in symbols and "x_lead" in symbols
    t = next(s for s in r.steps if s.symbol == "T")
    assert t.value == 0.2 and t.source == "ncrp-147-2004"


def test_switching_the_profile_changes_the_goal_and_the_result(rpo):
    """NRC uncontrolled: 1 mSv / 50 weeks = 20 uSv/week; IAEA: the department's 0.3 mSv constraint, 6 uSv/week."""
    from nmguard.apps.protection.shielding_results import point_result

    uptake = room(rpo, UPTAKE)
    p = point(uptake, rpo)
    department("us-nrc", rpo)
    nrc = point_result(p)
    department("iaea-gsr3", rpo)
    iaea = point_result(p)
    assert (nrc.profile, iaea.profile) == ("nrc", "iaea")
    assert nrc.goal.weekly_uSv.value == pytest.approx(20.0) and iaea.goal.weekly_uSv.value == pytest.approx(6.0)
    assert iaea.result.transmission_required == pytest.approx(nrc.result.transmission_required * 6 / 20, rel=1e-12)
    assert iaea.result.thickness_mm["lead"] > nrc.result.thickness_mm["lead"]
    assert point_result(p, "nrc").goal.weekly_uSv.value == pytest.approx(20.0)  # a what-if profile


def test_an_existing_barrier_is_judged_against_the_goal(rpo):
    from nmguard.apps.protection.shielding_results import point_result
    from nmguard.protection.shielding_transmission import archer_transmission
    from nmguard.reference.shielding import archer_fit

    department("us-nrc", rpo)
    uptake = room(rpo, UPTAKE)
    need = point_result(point(uptake, rpo, location="office A")).result.thickness_mm["lead"]
    thin = point_result(point(uptake, rpo, location="office B", material="lead", thickness_mm=need - 1.0))
    thick = point_result(point(uptake, rpo, location="office C", material="lead", thickness_mm=need + 1.0))
    assert thin.passes is False and thick.passes is True
    b = archer_transmission(archer_fit("lead"), need + 1.0)
    assert thick.barrier_transmission == pytest.approx(b, rel=1e-12)
    assert thick.shielded_uSv_week == pytest.approx(1.0 * thick.result.weekly_dose_uSv * b, rel=1e-12)
    assert thin.shielded_uSv_week > 20.0 > thick.shielded_uSv_week


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"distance_m": 0}, "distance_m"),
        ({"distance_m": -2}, "distance_m"),
        ({"occupancy_choice": "other", "occupancy": 1.5}, "occupancy"),
        ({"occupancy_choice": "other", "occupancy": 0}, "occupancy"),
        ({"occupancy_choice": "other"}, "occupancy"),
        ({"occupancy_choice": "sometimes"}, "occupancy_choice"),
        ({"area": "lobby"}, "area"),
        ({"material": "lead"}, "thickness_mm"),
        ({"material": "wood", "thickness_mm": 3}, "material"),
        ({"other_distance_m": 2.0}, "other_room"),
    ],
)
def test_bad_points_are_refused_by_their_field(rpo, change, field):
    from nmguard.apps.protection.room_models import PointOfInterest

    uptake = room(rpo, UPTAKE)
    with pytest.raises(InputError) as exc:
        point(uptake, rpo, **change)
    assert exc.value.field == field
    assert not PointOfInterest.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nuclide": "Xx-1"}, "nuclide"),
        ({"nuclide": "Tc-99m"}, "nuclide"),  # a PET room is F-18 (TG-108)
        ({"per_week": 12.5}, "per_week"),
        ({"per_week": 0}, "per_week"),
        ({"activity_MBq": -5}, "activity"),
        ({"uptake_min": None}, "uptake_min"),
        ({"kind": "imaging_room"}, "kind"),
        ({"imaging_min": 20.0}, "imaging_min"),  # the uptake room's stay is the uptake
    ],
)
def test_bad_rooms_are_refused_by_their_field(rpo, change, field):
    from nmguard.apps.protection.room_models import ShieldingRoom

    with pytest.raises(InputError) as exc:
        room(rpo, {**UPTAKE, **change})
    assert exc.value.field == field
    assert not ShieldingRoom.objects.exists()


def test_who_may_write_and_the_audit_names_them(make_user, rpo, physicist):
    from nmguard.apps.core.models import AuditEvent
    from nmguard.apps.protection.room_services import save_room

    for role in ("technologist", "physician", "read_only"):
        with pytest.raises(InputError) as exc:
            room(make_user(role, f"{role}1"), UPTAKE)
        assert exc.value.field == "user"
    r = room(physicist, UPTAKE)
    with pytest.raises(InputError) as exc:
        save_room(r, {**UPTAKE, "per_week": 50}, rpo)  # a change needs a reason
    assert exc.value.field == "reason"
    save_room(r, {**UPTAKE, "per_week": 50}, rpo, reason="second scanner shift")
    r.refresh_from_db()
    assert r.per_week == 50 and r.history.count() == 2
    events = AuditEvent.objects.filter(model_label="protection.ShieldingRoom", object_id=str(r.pk)).order_by("pk")
    assert [(e.actor_username, e.reason) for e in events] == [
        ("phys1", "shielding room added"),
        ("rpo1", "second scanner shift"),
    ]
