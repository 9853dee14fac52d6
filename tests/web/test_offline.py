"""Nothing is loaded from outside the server: the hospital network may have no internet.

``/api/v1/docs`` was blank offline (Swagger UI came from a CDN). The page and every template are
searched for ``src``/``href`` attributes that leave the server; the browser test in
``tests/browser/test_offline_browser.py`` also blocks every outside request and checks that the
API docs render.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

SRC = Path(__file__).resolve().parents[2] / "src" / "nmguard"
OUTSIDE = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)


def test_no_template_loads_from_outside():
    offenders = [
        f"{path.relative_to(SRC)}:{n}: {line.strip()}"
        for path in SRC.rglob("*.html")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert offenders == []


@pytest.mark.django_db
def test_api_docs_served_from_the_package():
    page = Client().get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert not OUTSIDE.search(html), html
    assets = re.findall(r"""(?:src|href)=["'](/static/[^"']+)""", html)
    assert any("swagger-ui-bundle" in a for a in assets) and any(a.endswith(".css") for a in assets)
