"""The server fails closed and early (addin/server/guard.py): who may call, with what token, what body, how big.

Each refusal is its status code and one sentence, decided before the body is read, with nothing run. Tokens are
real RS256 JWTs signed with a key made here, its key set given to xlwings-server's own Entra ID validation.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from importlib.metadata import version
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from ofsted_tracker.addin.payload import payload
from ofsted_tracker.addin.server import (
    app as server_app,  # first: it tells xlwings-server its project folder
)
from ofsted_tracker.addin.server import guard
from ofsted_tracker.addin.server.custom_scripts import PLAN_SHEETS

dep, entraid = server_app.dep, server_app.entraid
pytestmark = (
    pytest.mark.integration
)  # an app with its server's settings, and a subprocess starting it

ROUTES = [
    "/xlwings/custom-scripts-call/refresh",
    "/improvement-plan/summary",
    "/improvement-plan/collect",
]
CLIENT_ID, TENANT_ID = str(uuid.uuid4()), str(uuid.uuid4())
KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
NOW = time.time()


def _token(**claims) -> str:
    base = {
        "ver": "2.0",
        "iss": f"https://login.microsoftonline.com/{TENANT_ID}/v2.0",
        "aud": CLIENT_ID,
        "oid": "officer-7",
        "name": "A. Officer",
        "exp": int(NOW) + 3600,
    }
    base.update(claims)
    return jwt.encode(
        {"alg": "RS256", "kid": "test-key"}, {k: v for k, v in base.items() if v is not None}, KEY
    )


@pytest.fixture
def entra(monkeypatch: pytest.MonkeyPatch) -> TestClient:
    settings = server_app.settings
    monkeypatch.setattr(settings, "auth_providers", ["entraid"])
    monkeypatch.setattr(settings, "auth_entraid_client_id", CLIENT_ID)
    monkeypatch.setattr(settings, "auth_entraid_tenant_id", TENANT_ID)
    key_set = KeySet([KEY]).as_dict(private=False)

    async def jwks() -> dict:
        return key_set

    monkeypatch.setattr(entraid.jwks, "get_jwks_json", jwks)
    return TestClient(server_app.app, raise_server_exceptions=False, client=("10.1.2.3", 5000))


@pytest.fixture(scope="module")
def body(demo_master: Path) -> dict:
    return payload(demo_master, include=PLAN_SHEETS)


def test_the_internals_the_project_wraps_are_where_it_expects() -> None:
    """xlwings-server's pieces the guard relies on: if one moved, upgrading it must fail here, loudly."""
    assert callable(entraid.validate_token.__wrapped__)  # the uncached Entra ID validation
    assert callable(entraid.jwks.get_jwks_json)
    assert callable(dep.authenticate) and callable(dep.parse_book_input)
    assert (
        server_app.fastapi_app.dependency_overrides[dep.parse_book_input] is server_app.read_payload
    )
    from xlwings_server.templates import (
        templates,
    )  # the manifest's version and Support link are its globals

    assert templates.env.globals["addin_version"] and "support_url" in templates.env.globals
    assert version("xlwings-server").startswith("1.20."), (
        "xlwings-server is not the minor series tested (pyproject pins >=1.20,<1.21): check these internals, "
        "then move the pin"
    )


def test_with_sign_in_an_empty_body_without_a_token_is_401_not_422(entra: TestClient) -> None:
    for route in ROUTES:
        response = entra.post(route, json={})
        assert response.status_code == 401, route
        assert (
            response.json()["detail"]
            == "Auth error: Invalid token, must be in format 'Bearer xxxx'"
        )


@pytest.mark.parametrize(
    "authorization, says",
    [
        ("Bearer not-a-jwt", "Failed to decode token"),
        ("Bearer a.b.c", "Failed to decode token"),
        ("Bearer eyJhbGciOiJub25lIn0.eyJleHAiOjF9.", "Failed to decode token"),  # alg none
        ("Bearer " + _token(exp=None), "no expiry"),
        ("Bearer " + _token(exp=int(NOW) - 60), "Couldn't validate token"),
        ("Bearer " + _token(aud=str(uuid.uuid4())), "Couldn't validate token"),
        ("Basic dXNlcjpwYXNz", "must be in format 'Bearer xxxx'"),
    ],
)
def test_a_bad_token_is_401_every_time(
    authorization: str, says: str, entra: TestClient, body: dict
) -> None:
    for _ in range(2):  # never a 500, and never let through the second time
        response = entra.post(ROUTES[1], json=body, headers={"Authorization": authorization})
        assert response.status_code == 401 and says in response.json()["detail"], response.text


def test_a_good_token_is_served_and_stops_working_at_its_expiry(
    entra: TestClient, body: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = {"Authorization": "Bearer " + _token()}
    response = entra.post(ROUTES[1], json=body, headers=headers)
    assert response.status_code == 200 and response.json()["summary"]["overall"]
    later = (
        NOW + 3601
    )  # xlwings-server caches a valid token for an hour: the guard checks its exp each time
    monkeypatch.setattr(guard.time, "time", lambda: later)
    response = entra.post(ROUTES[1], json=body, headers=headers)
    assert response.status_code == 401 and "validate token" in response.json()["detail"]
    with pytest.raises(Exception) as refused:
        guard.expiring({"exp": int(NOW) + 3600}, now=later)
    assert refused.value.status_code == 401 and "expired" in refused.value.detail


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_the_script_routes_take_only_json(content_type: str | None, body: dict) -> None:
    client = TestClient(server_app.app, raise_server_exceptions=False)
    headers = {"Content-Type": content_type} if content_type else {}
    for route in ROUTES:
        response = client.post(route, content=json.dumps(body), headers=headers)
        assert response.status_code == 415, route
        assert response.json()["detail"].startswith("The body must be sent as application/json")


@pytest.mark.parametrize(
    "header",
    [
        "X-Forwarded-For",
        "Forwarded",
        "X-Real-IP",
        "X-Forwarded-Host",
        "X-Forwarded-Proto",
        "True-Client-IP",
    ],
)
def test_without_sign_in_any_forwarded_header_is_refused(header: str, body: dict) -> None:
    local = TestClient(server_app.app, client=("127.0.0.1", 5000))
    for route in [*ROUTES, "/manifest.xml", "/taskpane.html"]:
        response = local.post(route, json=body, headers={header: "127.0.0.1"})
        assert response.status_code == 403, route
        assert f"it came through a proxy ({header.lower()})" in response.json()["detail"]


def test_health_answers_anyone_with_the_version_and_nothing_else() -> None:
    from importlib.metadata import version

    remote = TestClient(server_app.app, client=("10.1.2.3", 5000))
    response = remote.get("/health", headers={"X-Forwarded-For": "192.0.2.1"})
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": version("ofsted-tracker")}
    assert remote.get("/").status_code == 403  # everything else still refused to a remote caller


def _call(chunks: int, chunk: bytes, headers: list) -> tuple[int, int, dict]:
    """Send a chunked body (no Content-Length) straight to the ASGI app; how many chunks it pulled, and its answer."""
    pulled, sent = 0, []

    async def receive() -> dict:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": pulled < chunks}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": ROUTES[0],
        "raw_path": ROUTES[0].encode(),
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "scheme": "http",
        "http_version": "1.1",
        "asgi": {"version": "3"},
    }
    asyncio.run(server_app.app(scope, receive, send))
    return pulled, sent[0]["status"], json.loads(sent[1]["body"])


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(server_app, "MAX_PAYLOAD_MB", 1)
    chunk = b" " * 65536  # 16 chunks make the limit: 300 MB would be 4,800
    pulled, status, answer = _call(4800, chunk, [(b"transfer-encoding", b"chunked")])
    assert status == 413 and "larger than this server accepts (1 MB)" in answer["detail"]
    assert pulled == 17  # never more than the limit held, the rest never read


def test_a_declared_length_over_the_limit_is_refused_before_a_byte_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(server_app, "MAX_PAYLOAD_MB", 1)
    pulled, status, _ = _call(1, b"{}", [(b"content-length", str(300 * 1024 * 1024).encode())])
    assert (pulled, status) == (0, 413)


def test_with_sign_in_the_token_is_checked_before_the_body_is_read(entra: TestClient) -> None:
    server_app.settings.auth_providers = ["entraid"]  # the fixture restores it
    pulled, status, answer = _call(4800, b" " * 65536, [])
    assert (pulled, status) == (0, 401)


def test_the_manifest_never_follows_the_requests_host(body: dict) -> None:
    local = TestClient(server_app.app, base_url="https://evil.example")
    manifest = local.get("/manifest.xml").text
    assert "evil.example" not in manifest
    assert f"https://{server_app.settings.hostname}/taskpane.html" in manifest


@pytest.mark.parametrize(
    "missing",
    ["XLWINGS_AUTH_ENTRAID_CLIENT_ID", "XLWINGS_AUTH_ENTRAID_TENANT_ID", "XLWINGS_HOSTNAME"],
)
def test_entra_id_without_its_settings_stops_start_up_with_one_line(missing: str) -> None:
    env = {
        **os.environ,
        "XLWINGS_AUTH_PROVIDERS": '["entraid"]',
        "XLWINGS_AUTH_ENTRAID_CLIENT_ID": CLIENT_ID,
        "XLWINGS_AUTH_ENTRAID_TENANT_ID": TENANT_ID,
        "XLWINGS_HOSTNAME": "addin.council.example",
    }
    del env[missing]
    done = subprocess.run(
        [sys.executable, "-c", "import ofsted_tracker.addin.server.app"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [line for line in done.stderr.splitlines() if not line.startswith("INFO:")]
    assert done.returncode == 1 and len(lines) == 1, done.stderr
    assert (
        lines[0].startswith("ofsted-tracker server: Entra ID sign-in is on") and missing in lines[0]
    )


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch):
    """Every log record of every logger at DEBUG, through a root handler like the server's own."""
    import io
    import logging

    from ofsted_tracker.addin.server import logs

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    monkeypatch.setattr(root, "level", logging.DEBUG)
    root.addHandler(handler)
    names = [*logs.NAMING_LOGGERS, "ofsted_tracker.access"]
    saved = {name: logging.getLogger(name).level for name in names}
    try:
        logs.install(log_users=False)  # as at start-up, now that this handler is the root's
        yield stream, logs
    finally:
        root.removeHandler(handler)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def test_a_token_never_reaches_the_log_at_debug(entra: TestClient, body: dict, captured) -> None:
    import logging

    stream, logs = captured
    for (
        name
    ) in logs.NAMING_LOGGERS:  # every level, xlwings-server's "Validating token: ..." included
        logging.getLogger(name).setLevel(logging.DEBUG)
    good, bad = _token(), _token(aud="someone-else")
    for token in (good, bad, "not-a-jwt-but-secret"):
        entra.post(ROUTES[1], json=body, headers={"Authorization": f"Bearer {token}"})
    text = stream.getvalue()
    assert "Validating token: [redacted]" in text  # the line is there, the token is not
    for secret in (good, bad, good.split(".")[1], "not-a-jwt-but-secret"):
        assert secret not in text
    cells = [
        v for sheet in body["sheets"] for row in sheet["values"] for v in row if isinstance(v, str)
    ]
    assert max(cells, key=len) not in text  # nor a cell's value


def test_each_request_has_one_access_line_and_no_names(
    entra: TestClient, body: dict, captured
) -> None:
    stream, _ = captured
    assert (
        entra.post(
            ROUTES[1], json=body, headers={"Authorization": f"Bearer {_token()}"}
        ).status_code
        == 200
    )
    assert entra.post(ROUTES[1], json=body).status_code == 401
    access = [
        line for line in stream.getvalue().splitlines() if line.startswith("ofsted_tracker.access")
    ]
    assert len(access) == 2
    assert access[0].startswith("ofsted_tracker.access INFO POST /improvement-plan/summary 200 ")
    assert access[0].endswith("ms user=officer-7")
    assert access[1].startswith("ofsted_tracker.access INFO POST /improvement-plan/summary 401 ")
    assert "A. Officer" not in stream.getvalue()  # OFSTED_LOG_USERS is not set
