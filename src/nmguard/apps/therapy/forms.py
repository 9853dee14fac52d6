"""Forms of therapy courses (parsing only)."""

from __future__ import annotations

from django import forms


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
