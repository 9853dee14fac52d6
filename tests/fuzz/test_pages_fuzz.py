"""Every web page and form action, as every role, with ids and form values at their extremes: no 5xx
(issue 12 item 3: pages refuse with the styled 403 that names the roles that may, or show the error by
the field, never fail).

Not hypothesis-driven: the pages take form posts whose fields are many; each action is posted once per
role with every field of every form set to one nasty value at a time (a fixed, small set), so the run is
bounded and the same each time.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.fuzz.conftest import FUZZ_ROLES, Findings, clients, send

pytestmark = pytest.mark.django_db

SKIP_PREFIXES = ("admin/", "api/", "logout", "login", "static", "password", "account")
NASTY_FORM_VALUES = [
    "",
    "\x00",
    "\ud800",
    "x" * 100_000,
    "5e-324",
    "-0.0",
    "nan",
    "9999-12-31",
    "0001-01-01",
    "9223372036854775808",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
]
FIELD_NAMES = [
    "activity",
    "eluted",
    "volume_mL",
    "eluted_at",
    "calibrated_at",
    "received_at",
    "calibrated_activity",
    "prepared_at",
    "measured",
    "measured_at",
    "wanted",
    "wanted_at",
    "sealed_at",
    "limit",
    "nuclide",
    "label",
    "disposed_at",
    "background",
    "surface",
    "weight_kg",
    "scheduled_for",
    "administered_at",
    "birth_date",
    "family_name",
    "given_name",
    "mrn",
    "sex",
    "reason",
    "password",
    "value",
    "at",
    "day",
    "number",
    "name",
    "parent",
    "patient",
    "protocol",
    "recipe",
    "activity_meter",
    "prescription",
    "test",
    "text",
    "counting_time_s",
    "residual",
    "planned_at",
    "performed_at",
    "reading",
    "note",
    "product",
]


def _patterns(resolver: URLResolver, prefix: str = "") -> list[str]:
    out = []
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            out += _patterns(p, route)
        elif isinstance(p, URLPattern):
            out.append(route)
    return out


def pages() -> list[str]:
    return sorted(r for r in _patterns(get_resolver()) if not r.startswith(SKIP_PREFIXES) and "(?P" not in r)


def _fill(route: str, ident: str) -> str:
    import re

    return "/" + re.sub(r"<(?:int|str|slug):(\w+)>", lambda m: ident if m.group(1) != "month" else "13", route)


@pytest.mark.parametrize("route", pages())
def test_no_server_error(route, fuzz_department, make_user):
    by_role = clients(make_user)
    findings = Findings()
    for ident in ("1", "9223372036854775808"):
        url = _fill(route, ident)
        for role in FUZZ_ROLES:
            status, cause = send(by_role[role], "get", url, None, None)
            if status >= 500:
                findings.add(f"GET {url} as {role}: {status} {cause}")
            elif status == 403:  # the styled refusal page naming the roles that may, not a bare 403
                page = by_role[role].get(url)
                if b"needs the role" not in page.content:
                    findings.add(f"GET {url} as {role}: a bare 403 without the roles that may")
        for role in ("administrator", "technologist", "radiopharmacist"):  # every form's writer or the admin
            for value in NASTY_FORM_VALUES if ident == "1" else [""]:
                status, cause = send(by_role[role], "form", url, dict.fromkeys(FIELD_NAMES, value), None)
                if status >= 500:
                    findings.add(f"POST {url} as {role} with every field {value[:20]!r}: {status} {cause}")
    assert not findings.errors, "\n".join(findings.errors)
