"""``nmguard serve`` with the production settings behind a TLS-terminating reverse proxy.

Issue 12 item 5: waitress dropped ``X-Forwarded-Proto`` (it clears proxy headers from peers it does
not trust, and it trusted none), so Django saw plain HTTP behind an HTTPS proxy and answered every
request with a 301 to the same https URL: a redirect loop. The test runs the real server in a
subprocess (production settings, migrated database in ``tmp_path``) behind a small TLS proxy written
here (asyncio + ssl, a self-signed certificate made with the ``openssl`` command line), signs in
through it and checks that a direct request from an untrusted address that claims
``X-Forwarded-Proto: https`` is not believed.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import re
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command line")

PASSWORD = "proxy-test-Passw0rd-9"
UNTRUSTED_SOURCE = "127.0.0.2"  # on Linux all of 127/8 is loopback: a peer that is not the proxy


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, made with the openssl command line."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout", str(key),
         "-out", str(cert), "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


class TlsProxy:
    """A TLS-terminating reverse proxy such as nginx: one request per connection, forwarded to the
    backend with ``X-Forwarded-Proto: https``, ``X-Forwarded-For`` and ``X-Forwarded-Host``."""

    def __init__(self, cert: Path, key: Path, backend_port: int) -> None:
        self.backend_port = backend_port
        self.port = _free_port()
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._context.load_cert_chain(cert, key)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TlsProxy:
        self._thread.start()
        assert self._ready.wait(10), "the proxy did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", self.port, ssl=self._context)
        )
        self._ready.set()
        self._loop.run_forever()
        server.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *lines = head.decode("latin-1").split("\r\n")[:-2]
            headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines]
            drop = {"connection", "x-forwarded-proto", "x-forwarded-for", "x-forwarded-host"}
            kept = [(k, v) for k, v in headers if k.lower() not in drop]
            host = next((v for k, v in headers if k.lower() == "host"), "")
            length = int(next((v for k, v in headers if k.lower() == "content-length"), "0"))
            body = await reader.readexactly(length) if length else b""
            client = writer.get_extra_info("peername")[0]
            forwarded = [
                *kept,
                ("X-Forwarded-Proto", "https"),
                ("X-Forwarded-For", client),
                ("X-Forwarded-Host", host),
                ("Connection", "close"),
            ]
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.backend_port)
            up_writer.write(
                (request_line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in forwarded) + "\r\n").encode("latin-1")
                + body
            )
            await up_writer.drain()
            while chunk := await up_reader.read(65536):  # waitress closes after the answer
                writer.write(chunk)
            await writer.drain()
            up_writer.close()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str

    def cookies(self) -> dict[str, str]:
        """Set-Cookie lines by cookie name (the whole line, to read its attributes)."""
        lines = self.headers.get_all("Set-Cookie") or []
        return {line.split("=", 1)[0]: line for line in lines}


class Browser:
    """Just enough of a browser over HTTPS: a cookie jar, the Referer/Origin that Django's CSRF check
    wants over HTTPS, and the redirects followed by hand so that a loop is seen and not hidden."""

    def __init__(self, port: int, cafile: Path, source: str = "127.0.0.1") -> None:
        self.port = port
        self.source = source
        self.origin = f"https://127.0.0.1:{port}"
        self.context = ssl.create_default_context(cafile=str(cafile))
        self.jar: dict[str, str] = {}

    def request(self, method: str, path: str, body: str = "") -> Answer:
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.port, context=self.context, timeout=30, source_address=(self.source, 0)
        )
        headers = {"Referer": self.origin + path, "Origin": self.origin}
        if self.jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body.encode() or None, headers=headers)
        r = conn.getresponse()
        answer = Answer(r.status, r.headers, r.read().decode("utf-8", "replace"))
        conn.close()
        for name, line in answer.cookies().items():
            self.jar[name] = line.split("=", 1)[1].split(";", 1)[0]
        return answer

    def follow(self, method: str, path: str, body: str = "", limit: int = 5) -> tuple[Answer, list[str]]:
        """The final answer and the locations redirected to (at most ``limit`` hops)."""
        answer, hops = self.request(method, path, body), []
        while answer.status in (301, 302, 303, 307, 308) and len(hops) < limit:
            location = answer.headers["Location"]
            hops.append(location)
            parts = urlsplit(location)
            assert parts.netloc in ("", f"127.0.0.1:{self.port}"), f"redirected away from the proxy: {location}"
            answer = self.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        return answer, hops


def _nmguard(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "nmguard", *args], env=env, input=stdin, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr


@dataclass
class Deployment:
    server_port: int
    proxy_port: int
    cafile: Path
    data_dir: Path


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """Production settings, a migrated database with one administrator, ``nmguard serve`` on loopback
    trusting the proxy at 127.0.0.1, and the TLS proxy in front of it (one for the module: migrating
    takes most of the time)."""
    tmp_path = tmp_path_factory.mktemp("proxy")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NMGUARD_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="nmguard.web.settings_production",
        NMGUARD_DATA_DIR=str(tmp_path / "data"),
        NMGUARD_SECRET_KEY="proxy-test-" + "k" * 60,
        NMGUARD_ALLOWED_HOSTS="127.0.0.1,localhost",
        NMGUARD_TRUSTED_PROXY="127.0.0.1",
        NMGUARD_JOB_THREAD="0",
    )
    _nmguard(env, "migrate")
    _nmguard(
        env,
        "createuser",
        "admin",
        "--role",
        "administrator",
        "--password-stdin",
        "--own-password",
        stdin=PASSWORD + "\n",
    )
    cert, key = _certificate(tmp_path)
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "nmguard", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nmguard serve did not start listening"
                time.sleep(0.2)
        with TlsProxy(cert, key, port) as proxy:
            yield Deployment(port, proxy.port, cert, tmp_path / "data")
    finally:
        server.terminate()
        server.wait(20)
        log.close()


def test_sign_in_through_the_https_proxy(deployment: Deployment):
    """Was a 301 loop (Location: the same https URL, forever). Now the login page, the form POST with
    CSRF token and the dashboard come back over the proxy, the cookies are Secure and HSTS is sent."""
    browser = Browser(deployment.proxy_port, deployment.cafile)
    page, hops = browser.follow("GET", "/login/")
    assert hops == [], f"redirected from /login/ through the proxy: {hops}"
    assert page.status == 200
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "Secure" in [a.strip() for a in page.cookies()["csrftoken"].split(";")]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1)

    form = f"csrfmiddlewaretoken={token}&username=admin&password={PASSWORD}"
    dashboard, hops = browser.follow("POST", "/login/", form)
    assert hops == ["/"], hops  # one redirect, to the dashboard, relative
    assert dashboard.status == 200
    assert "<h1>Dashboard</h1>" in dashboard.body
    assert dashboard.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "camera=()" in dashboard.headers["Permissions-Policy"]
    session = browser.request("GET", "/")  # still signed in on the next request
    assert session.status == 200 and "Sign out" in session.body


def test_static_files_through_the_proxy(deployment: Deployment):
    """The stylesheet, htmx and Swagger UI come from the package under the production settings (they
    were 404: the production settings looked only in an empty collectstatic folder)."""
    browser = Browser(deployment.proxy_port, deployment.cafile)
    for path in ("/static/nmguard/nmguard.css", "/static/nmguard/htmx.min.js", "/static/ninja/swagger-ui-bundle.js"):
        answer = browser.request("GET", path)
        assert answer.status == 200, path
        assert answer.headers["Content-Security-Policy"] and answer.headers["Permissions-Policy"], path


def test_session_cookie_is_secure_through_the_proxy(deployment: Deployment):
    browser = Browser(deployment.proxy_port, deployment.cafile)
    page = browser.request("GET", "/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1)
    answer = browser.request("POST", "/login/", f"csrfmiddlewaretoken={token}&username=admin&password={PASSWORD}")
    assert answer.status == 302
    attributes = [a.strip() for a in answer.cookies()["sessionid"].split(";")]
    assert "Secure" in attributes and "HttpOnly" in attributes


def test_failed_sign_in_is_counted_for_the_client_not_the_proxy(deployment: Deployment):
    """The login lock-out (django-axes, by user name and address) sees the client's address from the
    trusted proxy's X-Forwarded-For: a client at 127.0.0.3 is recorded as 127.0.0.3, not as the
    proxy's 127.0.0.1 (else one client's failures would lock every user out behind the proxy)."""
    browser = Browser(deployment.proxy_port, deployment.cafile, source="127.0.0.3")
    page = browser.request("GET", "/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1)
    answer = browser.request("POST", "/login/", f"csrfmiddlewaretoken={token}&username=nobody-3&password=wrong")
    assert answer.status == 200  # the form again, with the error
    with sqlite3.connect(deployment.data_dir / "nmguard.sqlite3") as db:
        rows = db.execute("SELECT ip_address FROM axes_accessattempt WHERE username = 'nobody-3'").fetchall()
    assert rows == [("127.0.0.3",)]


def test_untrusted_peer_claiming_https_is_not_believed(deployment: Deployment):
    """A plain-HTTP request straight to waitress from 127.0.0.2 (not the trusted proxy) that sends
    ``X-Forwarded-Proto: https`` is still plain HTTP: redirected to https, no HSTS, no Secure scheme."""
    conn = http.client.HTTPConnection(
        "127.0.0.1", deployment.server_port, timeout=30, source_address=(UNTRUSTED_SOURCE, 0)
    )
    conn.request("GET", "/login/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"})
    r = conn.getresponse()
    r.read()
    conn.close()
    assert r.status == 301
    assert r.headers["Location"] == f"https://127.0.0.1:{deployment.server_port}/login/"
    assert r.headers["Strict-Transport-Security"] is None


def test_trusted_proxy_plain_http_is_redirected(deployment: Deployment):
    """The trusted proxy itself forwarding a plain-HTTP request (``X-Forwarded-Proto: http``) gets the
    redirect to https, so the header is read, not just assumed."""
    conn = http.client.HTTPConnection("127.0.0.1", deployment.server_port, timeout=30)
    conn.request("GET", "/login/", headers={"X-Forwarded-Proto": "http", "X-Forwarded-Host": "127.0.0.1:8443"})
    r = conn.getresponse()
    r.read()
    conn.close()
    assert r.status == 301
    assert r.headers["Location"] == "https://127.0.0.1:8443/login/"
