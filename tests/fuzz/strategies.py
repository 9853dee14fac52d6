"""Hypothesis strategies for the API fuzzers: values from the OpenAPI schemas mixed with the nasty values
that issue 12 found (overflowing years, lone surrogates, empty and 100 000-character text, 5e-324 and
other degenerate numbers, NUL bytes, ids beyond 2^63, unknown enum values).

A string field of the API is mostly untyped in the schema ("740 MBq", an ISO instant, a nuclide name), so
the generator also guesses the kind of a string from its field name, so that the fuzzer gets past the first
parser and reaches the services with plausible-looking but extreme values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

LONG = "x" * 100_000
NASTY_TEXT = ["", "\ud800", "a\udfffb", LONG, "\x00", "a\x00b", "nan", "inf", "-0.0", "5e-324", "no-such-value"]
NASTY_INTS = [0, -1, 2**31, 2**63 - 1, 2**63, 2**64, -(2**63) - 1]
NASTY_FLOATS = [5e-324, -5e-324, -0.0, 0.0, 1e308, -1e308, -1.0, float("nan"), float("inf"), float("-inf")]
NASTY_DATES = ["0001-01-01", "9999-12-31", "1000-01-01", "2999-12-31"]
NASTY_INSTANTS = [
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+14:00",  # overflows below datetime.min when turned into UTC
    "9999-12-31T23:59:59-14:00",  # overflows above datetime.max when turned into UTC
    "9999-12-31T00:00:00Z",
    "1000-01-01T00:00:00Z",
]
NASTY_ACTIVITIES = [
    "5e-324 MBq",
    "0 MBq",
    "-0.0 MBq",
    "1e308 GBq",
    "1e300 Ci",
    "1e-300 Bq",
    "nan MBq",
    "inf MBq",
    "\ud800 MBq",
    "740 MBq\x00",
]
NUCLIDES = ["Tc-99m", "Mo-99", "F-18", "I-131", "Ga-68", "Ge-68", "Lu-177", "Xx-999", "\ud800"]


def _now_offset(days: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).isoformat()


def instants() -> st.SearchStrategy[str]:
    """ISO instants: plausible ones (near now), far past and far future, and overflowing ones."""
    near = st.floats(min_value=-30, max_value=2).map(_now_offset)
    far = st.sampled_from([-365 * 200, -365 * 10, 365 * 10, 365 * 500]).map(_now_offset)
    return st.one_of(near, far, st.sampled_from(NASTY_INSTANTS), st.sampled_from(NASTY_TEXT))


def activities() -> st.SearchStrategy[str]:
    plausible = st.sampled_from(["740 MBq", "20 mCi", "5 GBq", "1 kBq", "370 MBq", "7.4 GBq"])
    return st.one_of(plausible, st.sampled_from(NASTY_ACTIVITIES), st.sampled_from(NASTY_TEXT))


def texts() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=12))


def integers(ids: list[int]) -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from(ids), st.sampled_from(NASTY_INTS), st.integers(-5, 50))


def numbers() -> st.SearchStrategy[float]:
    return st.one_of(st.sampled_from(NASTY_FLOATS), st.floats(min_value=-10, max_value=500), st.just(70.0))


def _string_for(name: str) -> st.SearchStrategy[str]:
    n = name.lower()
    if n.endswith("_at") or n in {"from", "to", "scheduled_for", "start", "end"}:
        return instants()
    if "activity" in n or n in {"limit", "residual", "breakthrough_parent_activity"}:
        return activities()
    if n in {"nuclide", "parent"}:
        return st.sampled_from(NUCLIDES)
    if n == "age":
        return st.sampled_from(["adult", "15", "10", "5", "1", "0", "-1", "nan", "1e309", "\ud800", ""])
    if n in {"weight"}:
        return st.sampled_from(["70", "5e-324", "-0.0", "nan", "inf", "1e309", "0", ""])
    if n in {"radiopharmaceutical", "administered_radiopharmaceutical"}:
        return st.sampled_from(["18F-FDG", "99mTc-MDP", "99mTc-DMSA", "131I therapy", "i131-iodide", "", "\ud800"])
    if n in {"profile", "card", "publication"}:
        return st.sampled_from(["nrc", "euratom", "iaea", "eanm-2016", "na-2016", "ICRP 128", "ICRP 80", "zz", ""])
    return texts()


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def from_schema(schema: dict, components: dict, name: str, ids: list[int]) -> st.SearchStrategy[Any]:
    """A value for ``schema`` (resolved, anyOf/enum/format aware), often a nasty one."""
    schema = _resolve(schema, components)
    if "anyOf" in schema:
        return st.one_of([from_schema(s, components, name, ids) for s in schema["anyOf"]])
    if "enum" in schema:
        return st.one_of(st.sampled_from(schema["enum"]), st.sampled_from(["unknown-enum-value", "", "\ud800"]))
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return objects(schema, components, ids)
    if kind == "array":
        item = from_schema(schema.get("items", {}), components, name, ids)
        return st.lists(item, max_size=3)
    if kind == "integer":
        return integers(ids)
    if kind == "number":
        return numbers()
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return st.one_of(st.dates().map(dt.date.isoformat), st.sampled_from(NASTY_DATES + NASTY_TEXT))
        if fmt == "date-time":
            return instants()
        if "pattern" in schema:
            return st.one_of(st.from_regex(schema["pattern"], fullmatch=True), texts())
        return _string_for(name)
    return st.one_of(texts(), st.none(), integers(ids))


def objects(schema: dict, components: dict, ids: list[int]) -> st.SearchStrategy[dict]:
    """A JSON object for ``schema``: every required property (sometimes one dropped), each optional
    property present or not."""
    schema = _resolve(schema, components)
    props = schema.get("properties", {})
    required = set(schema.get("required", []))
    fields = {k: from_schema(v, components, k, ids) for k, v in props.items()}

    @st.composite
    def build(draw):
        out = {}
        for key, strategy in fields.items():
            if key in required or draw(st.booleans()):
                out[key] = draw(strategy)
        if required and draw(st.integers(0, 9)) == 0:  # now and then a required property is missing
            out.pop(draw(st.sampled_from(sorted(required))), None)
        return out

    return build()
