"""No form in the application accepts a default safety answer (issue 10, acceptance).

A safety question answered by default is recorded as if a person had answered it: pregnancy "Not
pregnant", receipt checks "passed", the product drawn up "as prescribed". This test searches every
form class of every app and every template:

- the safety questions a department asks are :class:`SafetyQuestionField` (radio buttons, nothing
  preselected, required, and a default refused when the field is built);
- no radio button or check box of any form is pre-ticked, and no choice is preselected, except the
  method options listed in ``NOT_SAFETY_QUESTIONS`` with the reason they are not safety answers;
- no template writes a literal ``checked`` or ``selected`` attribute.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest
from django import forms

from nmguard.apps.core.form_fields import SafetyQuestionField

APPS = ("core", "equipment", "patients", "radiopharmacy", "therapy", "protection", "quality")
SRC = Path(__file__).resolve().parents[2] / "src" / "nmguard" / "apps"

# (form, field): the questions a tired user could pass by leaving them untouched.
SAFETY_QUESTIONS = {
    ("ChecksForm", "pregnancy"),
    ("ChecksForm", "breastfeeding"),
    ("ChecksForm", "previous_reaction"),
    ("AdministrationForm", "extravasation"),
    ("DeliveryForm", "receipt_ok"),
    ("ElutionForm", "aluminium_ok"),
}
# (form, field): a preset that is a method option or a plan, not an answer about a patient or a product.
NOT_SAFETY_QUESTIONS = {
    ("DosimetryJobForm", "scale_voxel_tia_to_voi"): "calculation option (the method's documented default)",
    ("DosimetryJobForm", "device"): "where the calculation runs; the result does not depend on it",
    ("DosimetryJobForm", "tia_model"): "calculation option: 'auto' chooses by AICc and reports the choice",
}
# Forms built at run time from a record; their own tests check them (tests/therapy/test_dose_recording.py).
NEEDS_A_RECORD = {"EligibilityForm", "RecordDosesForm"}


def _form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for app in APPS:
        try:
            module = importlib.import_module(f"nmguard.apps.{app}.forms")
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


FORMS = _form_classes()


def test_forms_found():
    names = {cls.__name__ for cls in FORMS}
    assert {form for form, _ in SAFETY_QUESTIONS} <= names
    assert len(FORMS) >= 25


@pytest.mark.django_db
@pytest.mark.parametrize("cls", [c for c in FORMS if c.__name__ not in NEEDS_A_RECORD], ids=lambda c: c.__name__)
def test_no_preselected_answer(cls):
    form = cls()
    for name, field in form.fields.items():
        key = (cls.__name__, name)
        if key in SAFETY_QUESTIONS:
            assert isinstance(field, SafetyQuestionField), f"{key} must be a SafetyQuestionField"
        if isinstance(field, SafetyQuestionField):
            assert field.required and form[name].value() in (None, ""), key
        if key in NOT_SAFETY_QUESTIONS:
            continue
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            assert not value, f"{key} is pre-ticked"
        elif isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            assert value in (None, "", []), f"{key} is preselected ({value!r})"
    html = "".join(str(form[name]) for name in form.fields if (cls.__name__, name) not in NOT_SAFETY_QUESTIONS)
    # the attribute, not the word inside another attribute's value (htmx's hx-include="[name=x]:checked")
    assert not re.search(r"<input[^>]*\schecked\b", html), f"{cls.__name__} renders a ticked box"
    chosen = re.findall(r'<option value="([^"]*)"[^>]*\bselected\b', html)
    assert all(value == "" for value in chosen), f"{cls.__name__} preselects {chosen}"  # "—" is no answer


def test_every_safety_question_is_declared_here():
    """A new SafetyQuestionField is listed above, so the list stays the department's list."""
    declared = {
        (cls.__name__, name)
        for cls in FORMS
        for name, field in getattr(cls, "base_fields", {}).items()
        if isinstance(field, SafetyQuestionField)
    }
    assert declared <= SAFETY_QUESTIONS


def test_safety_question_refuses_a_default():
    with pytest.raises(ValueError, match="must not have a default"):
        SafetyQuestionField(label="Pregnancy", choices=[("no", "No")], initial="no")


#: template lines that tick a box only to show again what the person chose; none answers a safety question
RE_DISPLAYS_A_CHOICE = {
    "patients/templates/patients/_patient_choices.html:3": (
        "the patient picker keeps the patient already chosen (or the one whose page the form was opened from) "
        "ticked when its matches are refreshed; a fresh form ticks none"
    ),
}


def test_no_template_preticks_or_preselects():
    literal = re.compile(r"<(?:input|option)[^>]*\s(?:checked|selected)\b", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for path in SRC.rglob("*.html")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if literal.search(line)
    ]
    assert sorted(set(offenders) - set(RE_DISPLAYS_A_CHOICE)) == []
    assert set(RE_DISPLAYS_A_CHOICE) <= set(offenders), "a listed line moved: update RE_DISPLAYS_A_CHOICE"
