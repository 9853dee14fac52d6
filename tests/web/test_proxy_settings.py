"""``NMGUARD_TRUSTED_PROXY`` as the settings and ``nmguard serve`` read it (real subprocesses: the
settings are read once per process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

PRODUCTION = "nmguard.web.settings_production"


def _env(tmp_path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NMGUARD_", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE=PRODUCTION, NMGUARD_DATA_DIR=str(tmp_path), **extra)
    return env


def _settings(tmp_path, **extra: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "from nmguard.cli.service import proxy_options as p; o = p(); "
        "o['trusted_proxy_headers'] = sorted(o.get('trusted_proxy_headers', [])); "
        "print(json.dumps({'ssl_header': s.SECURE_PROXY_SSL_HEADER, 'waitress': o}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=_env(tmp_path, **extra), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_no_proxy_by_default_trusts_no_forwarded_header(tmp_path):
    found = _settings(tmp_path)
    assert found == {"ssl_header": None, "waitress": {"trusted_proxy_headers": []}}


def test_trusted_proxy_sets_waitress_and_django(tmp_path):
    found = _settings(tmp_path, NMGUARD_TRUSTED_PROXY="::1")
    assert found["ssl_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert found["waitress"] == {
        "trusted_proxy": "::1",
        "trusted_proxy_headers": ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto"],
        "clear_untrusted_proxy_headers": True,
    }
    rfc = _settings(tmp_path, NMGUARD_TRUSTED_PROXY="10.0.0.5", NMGUARD_TRUSTED_PROXY_HEADERS="Forwarded")
    assert rfc["waitress"]["trusted_proxy"] == "10.0.0.5"
    assert rfc["waitress"]["trusted_proxy_headers"] == ["forwarded"]


@pytest.mark.parametrize("value", ["localhost", "127.0.0.1:8080", "10.0.0.0/8"])
def test_a_proxy_that_is_not_an_address_is_refused_at_start(tmp_path, value):
    """waitress compares the peer's address as text: a name or a network would never match and the
    loop would stay, silently. ``nmguard serve`` stops with one line naming the variable."""
    done = subprocess.run(
        [sys.executable, "-m", "nmguard", "serve", "--port", "1"],
        env=_env(tmp_path, NMGUARD_TRUSTED_PROXY=value),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "NMGUARD_TRUSTED_PROXY" in lines[0] and "not an IP address" in lines[0], lines


def test_serve_without_proxy_under_production_says_how_to_set_one(tmp_path):
    server = subprocess.Popen(
        [sys.executable, "-m", "nmguard", "serve", "--port", "0"],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        first, second = server.stdout.readline(), server.stdout.readline()
    finally:
        server.terminate()
        server.wait(20)
    assert first.startswith("NMGuard at http://127.0.0.1:0/")
    assert "NMGUARD_TRUSTED_PROXY" in second and "docs/deployment.md" in second
