"""Property-based fuzzer over every operation of /api/v1/openapi.json: no input makes a server error
(issue 12 item 3). 422/400/401/403/404 are answers; a 5xx or an exception out of a view is a defect.

Bounded for CI: derandomized (the same examples every run), a few dozen examples per operation and role,
no example database. Each operation is sent by the roles that may use it and by one that may not.
"""

from __future__ import annotations

import urllib.parse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz import strategies as s
from tests.fuzz.conftest import ROLE_FOR_TAG, Findings, clients, openapi, operations, send

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 30
IDS = [1, 2, 3]


def _path_strategy(path: str, op: dict) -> st.SearchStrategy[str]:
    parts = {}
    for param in op.get("parameters", []):
        if param.get("in") != "path":
            continue
        if param["schema"].get("type") == "integer":
            parts[param["name"]] = s.integers(IDS).map(str)
        else:
            parts[param["name"]] = st.one_of(st.sampled_from(s.NUCLIDES), s.texts()).map(
                lambda v: urllib.parse.quote(v[:2000], safe="", errors="surrogatepass")
            )
    return st.fixed_dictionaries(parts).map(lambda values: path.format(**values))


def _body_strategy(op: dict, components: dict):
    content = (op.get("requestBody") or {}).get("content", {})
    if "application/json" in content:
        return "application/json", s.objects(content["application/json"]["schema"], components, IDS)
    if "multipart/form-data" in content:
        files = st.binary(max_size=600).map(lambda b: {"file": SimpleUploadedFile("report.dcm", b)})
        preamble = st.just({"file": SimpleUploadedFile("report.dcm", b"\x00" * 128 + b"DICM" + b"\xff" * 40)})
        return "multipart/form-data", st.one_of(files, preamble)
    return None, st.none()


def _roles(op: dict) -> tuple[str, ...]:
    tags = op.get("tags") or ["system"]
    return ("administrator", *ROLE_FOR_TAG.get(tags[0], ()), "read_only")


@pytest.mark.parametrize(("method", "path", "op"), operations(), ids=lambda v: v if isinstance(v, str) else "")
def test_no_server_error(method, path, op, fuzz_department, make_user):
    components = openapi()["components"]["schemas"]
    by_role = clients(make_user)
    content_type, body = _body_strategy(op, components)
    findings = Findings()

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(role=st.sampled_from(_roles(op)), url=_path_strategy(path, op), payload=body)
    def one(role, url, payload):
        status, cause = send(by_role[role], method, url, payload, content_type)
        if status >= 500:
            findings.add(f"{method.upper()} {url[:120]} as {role}: {status} {cause}")

    one()
    assert not findings.errors, "\n".join(findings.errors)
