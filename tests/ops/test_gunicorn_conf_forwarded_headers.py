"""gunicorn with the portal's own configuration and production settings believes X-Forwarded-Proto from the proxy's
address only (issue 9, item 20).

Before, ``forwarded_allow_ips`` was ``*`` and production set ``SECURE_PROXY_SSL_HEADER``: anyone who reached the web
port could say "this came over HTTPS". Here a real gunicorn (``--config python:biobank.ops.gunicorn_conf``) listens on
127.0.0.1 with ``FORWARDED_ALLOW_IPS=127.0.0.2``; the same request, ``X-Forwarded-Proto: https``, is sent once from
127.0.0.2 (the proxy) and once from 127.0.0.1 (a neighbour). Only the proxy's is treated as secure: HSTS on
``/healthz`` (exempt from the redirect, no database needed), and no redirect to HTTPS on other pages.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.settings.startup import clean_environment

ROOT = Path(__file__).resolve().parents[2]
PROXY, NEIGHBOUR = "127.0.0.2", "127.0.0.1"
HOST = "biobank.example.org"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str, *, source: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    connection.request("GET", path, headers={"Host": HOST, "X-Forwarded-Proto": "https"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.fixture
def gunicorn(production_env, tmp_path):
    try:
        with socket.socket() as probe:
            probe.bind((PROXY, 0))
    except OSError:
        pytest.skip(f"this machine cannot use {PROXY} as a source address")
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "biobank.wsgi",
            "--config",
            "python:biobank.ops.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=clean_environment(
            **{
                **production_env,
                "DJANGO_SETTINGS_MODULE": "biobank.settings.production",
                "BIOBANK_VAR_DIR": str(tmp_path / "var"),
                "FORWARDED_ALLOW_IPS": PROXY,
            }
        ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(port, "/healthz", source=NEIGHBOUR).status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("gunicorn did not start:\n" + (tmp_path / "gunicorn.log").read_text()[-3000:])
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_x_forwarded_proto_counts_from_the_proxy_and_not_from_a_neighbour(gunicorn):
    from_proxy = _get(gunicorn, "/healthz", source=PROXY)
    from_neighbour = _get(gunicorn, "/healthz", source=NEIGHBOUR)
    assert from_proxy.status == from_neighbour.status == 200
    assert from_proxy.getheader("Strict-Transport-Security"), "the proxy's request was not treated as HTTPS"
    assert from_neighbour.getheader("Strict-Transport-Security") is None, "a neighbour's X-Forwarded-Proto counted"

    redirected = _get(gunicorn, "/accounts/login/", source=NEIGHBOUR)
    assert redirected.status == 301
    assert redirected.getheader("Location") == f"https://{HOST}/accounts/login/"
    not_redirected = _get(gunicorn, "/accounts/login/", source=PROXY)
    assert not (300 <= not_redirected.status < 400 and not_redirected.getheader("Location", "").startswith("https:"))
