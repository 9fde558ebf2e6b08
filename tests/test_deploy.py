"""Deployment files checked without a Docker daemon: the Dockerfile read by a small parser (stages, user, health
check, JSON-form CMD, every COPY source present), its CMD run as it is outside Docker (gunicorn with the uvicorn
worker serving the real app), compose.yaml, the pins, the proxies' body limit, the systemd unit, the self-signed
certificate's extensions and the drawn icons.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import struct
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from packaging.requirements import Requirement

from ofsted_tracker.addin import build_icons
from ofsted_tracker.addin.payload import payload
from ofsted_tracker.addin.server.custom_scripts import PLAN_SHEETS
from ofsted_tracker.cli import app as cli

pytestmark = pytest.mark.integration  # reads the repository's files; one test starts gunicorn

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
APP = "ofsted_tracker.addin.server.app:app"
WORKER = "uvicorn_worker.UvicornWorker"


def instructions(text: str) -> list[tuple[str, str]]:
    """A Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined, comments dropped."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    found = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def stages(text: str) -> list[list[tuple[str, str]]]:
    """The instructions of each stage (from its FROM on); what comes before the first FROM is dropped."""
    result: list[list[tuple[str, str]]] = []
    for keyword, rest in instructions(text):
        if keyword == "FROM":
            result.append([])
        if result:
            result[-1].append((keyword, rest))
    return result


DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _one(stage: list[tuple[str, str]], keyword: str) -> str:
    values = [rest for k, rest in stage if k == keyword]
    assert len(values) == 1, f"{keyword}: {values}"
    return values[0]


def cmd() -> list[str]:
    """The final stage's CMD, which must be JSON (exec form: gunicorn gets the signals, no shell in between)."""
    return json.loads(_one(stages(DOCKERFILE)[-1], "CMD"))


def test_the_dockerfile_builds_the_wheel_in_one_stage_and_runs_it_in_another() -> None:
    build, final = stages(DOCKERFILE)
    assert re.search(r"\bAS build$", build[0][1]) and re.search(r"\bAS runtime$", final[0][1])
    assert any(k == "RUN" and "pip wheel" in rest for k, rest in build)
    install = " ".join(rest for k, rest in final if k == "RUN")
    assert "--constraint /tmp/constraints.txt" in install and '"$1[server]"' in install
    assert ("COPY", "--from=build /wheels /wheels") in final
    assert not any(
        k == "COPY" and "--from" not in rest and "constraints" not in rest for k, rest in final
    )


def test_every_file_the_dockerfile_copies_is_in_the_repository_and_the_build_context() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    sources = []
    for keyword, rest in instructions(DOCKERFILE):
        if keyword == "COPY" and not rest.startswith("--from"):
            sources += rest.split()[:-1]
    assert "pyproject.toml" in sources and "deploy/constraints.txt" in sources
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"
        assert not any(source == i or source.startswith(i + "/") for i in ignored), source


def test_the_container_runs_as_a_user_that_is_not_root_with_a_health_check() -> None:
    final = stages(DOCKERFILE)[-1]
    user = _one(final, "USER")
    assert user.split(":")[0] not in ("root", "0") and "useradd" in _one(final, "RUN")
    check = _one(final, "HEALTHCHECK")
    options, _, command = check.partition("CMD ")
    assert "--interval=" in options and "--timeout=" in options
    assert "http://127.0.0.1:8000/health" in " ".join(json.loads(command))


def test_the_cmd_is_gunicorn_with_the_maintained_uvicorn_worker_serving_the_real_app() -> None:
    line = cmd()
    assert line[:2] == ["gunicorn", APP]
    assert line[line.index("--worker-class") + 1] == WORKER
    assert line[line.index("--bind") + 1] == "0.0.0.0:8000"
    assert "uvicorn.workers" not in DOCKERFILE and "--reload" not in line


def test_the_systemd_unit_runs_the_same_command_on_this_host_only() -> None:
    unit = (DEPLOY / "ofsted-tracker.service").read_text()
    exec_start = shlex.split(
        re.search(r"^ExecStart=(.*?)(?<!\\)$", unit, re.M | re.S).group(1).replace("\\\n", " ")
    )
    assert Path(exec_start[0]).name == "gunicorn"
    container = cmd()
    bind = container.index("--bind")
    assert exec_start[1:] == container[1 : bind + 1] + ["127.0.0.1:8000"] + container[bind + 2 :]
    for setting in (
        "User=ofsted",
        "EnvironmentFile=/etc/ofsted-tracker/ofsted-tracker.env",
        "Restart=on-failure",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
    ):
        assert f"\n{setting}\n" in unit, setting


def test_compose_is_for_production() -> None:
    compose = (ROOT / "compose.yaml").read_text()
    assert "--reload" not in compose and "volumes:" not in compose
    assert re.findall(r'^\s+- "([^"]+)"$', compose, re.M) == ["127.0.0.1:8000:8000"]
    assert re.search(r"^\s+env_file: ofsted-tracker.env$", compose, re.M)
    assert re.search(r"^\s+build: \.$", compose, re.M) and "restart: unless-stopped" in compose


def test_the_env_example_names_only_settings_the_code_reads() -> None:
    from ofsted_tracker.addin.server.app import settings

    text = (DEPLOY / "ofsted-tracker.env.example").read_text()
    names = re.findall(r"^#?\s?([A-Z][A-Z0-9_]+)=", text, re.M)
    assert {
        "XLWINGS_LICENSE_KEY",
        "XLWINGS_HOSTNAME",
        "XLWINGS_ENVIRONMENT",
        "XLWINGS_AUTH_PROVIDERS",
        "FORWARDED_ALLOW_IPS",
    } <= set(names)
    fields = set(type(settings).model_fields)
    for name in names:
        if name.startswith("XLWINGS_") and name != "XLWINGS_LICENSE_KEY":
            assert name.removeprefix("XLWINGS_").lower() in fields, (
                f"{name}: xlwings Server has no such setting"
            )
    assert re.search(r"^OFSTED_TRACKER_MAX_PAYLOAD_MB=25$", text, re.M)


def test_the_proxies_accept_what_the_app_accepts() -> None:
    from ofsted_tracker.addin.server.app import MAX_PAYLOAD_MB

    nginx = (DEPLOY / "nginx.conf").read_text()
    caddy = (DEPLOY / "Caddyfile").read_text()
    assert f"client_max_body_size {MAX_PAYLOAD_MB:g}m;" in nginx
    assert f"max_size {MAX_PAYLOAD_MB:g}MB" in caddy
    assert "proxy_pass http://127.0.0.1:8000;" in nginx and "reverse_proxy 127.0.0.1:8000" in caddy
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "Host"):
        assert f"proxy_set_header {header} " in nginx
    assert "proxy_read_timeout    120s;" in nginx and "read_timeout 120s" in caddy


def test_the_constraints_pin_every_requirement_of_the_server_install() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = {}
    for line in (DEPLOY / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name] = version
    server = project["optional-dependencies"]["server"]
    assert {"gunicorn", "uvicorn-worker"} <= {Requirement(r).name for r in server}
    for text in project["dependencies"] + server:
        requirement = Requirement(text)
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        assert name in pins, f"{name} is not pinned in deploy/constraints.txt"
        assert requirement.specifier.contains(pins[name]), (
            f"{name}=={pins[name]} is outside {requirement}"
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_dockerfile_cmd_serves_the_manifest_and_the_routes(
    demo_master: Path, tmp_path: Path
) -> None:
    """The CMD line as the container runs it (only the bind address changed), in this venv, over plain HTTP."""
    import httpx

    from ofsted_tracker.addin.server.app import settings

    line = cmd()
    port = _free_port()
    line[line.index("--bind") + 1] = f"127.0.0.1:{port}"
    line[0] = str(Path(sys.executable).with_name(line[0]))
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial", "XLWINGS_ENVIRONMENT": "prod"}
    server = subprocess.Popen(
        line, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                manifest = httpx.get(f"{base}/manifest.xml", timeout=30)
                break
            except httpx.ConnectError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not start within 90 s"
                time.sleep(0.3)
        assert manifest.status_code == 200
        health = httpx.get(f"{base}/health", timeout=30)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert '<DisplayName DefaultValue="Improvement Plan"' in manifest.text
        assert f"<Id>{settings.manifest_id_prod}</Id>" in manifest.text
        assert "xlwings Server" not in manifest.text and "icons/xlwings-" not in manifest.text
        summary = httpx.post(
            f"{base}/improvement-plan/summary",
            json=payload(demo_master, include=PLAN_SHEETS),
            timeout=60,
        )
        assert summary.status_code == 200, summary.text
        result = CliRunner().invoke(cli, ["summary", str(demo_master), "--json"])
        assert summary.json()["summary"] == json.loads(result.output)
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_the_self_signed_certificate_is_a_leaf_for_this_computer_only(tmp_path: Path) -> None:
    import ipaddress

    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    from ofsted_tracker.addin.server.serve import certificate

    cert_path, _, _ = certificate(tmp_path)
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    basic = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical and basic.value.ca is False
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.key_encipherment
    assert not (usage.key_cert_sign or usage.crl_sign)
    extended = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(extended) == [ExtendedKeyUsageOID.SERVER_AUTH]
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert ipaddress.ip_address("127.0.0.1") in names.get_values_for_type(x509.IPAddress)
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert lifetime.days <= 91


@pytest.mark.parametrize("size", build_icons.SIZES)
def test_the_icons_are_the_drawn_ones_at_their_size(size: int) -> None:
    data = build_icons.path(size).read_bytes()
    assert data == build_icons.png(size), "run python addin/build_icons.py and commit the icons"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert (width, height, depth, colour) == (size, size, 8, 6)


def test_the_drawing_has_the_tile_the_bars_and_the_tick() -> None:
    rows = build_icons.pixels(32)
    colours = {
        bytes(row[i : i + 3]) for row in rows for i in range(0, len(row), 4) if row[i + 3] == 255
    }
    assert {bytes(build_icons.TILE), bytes(build_icons.BAR), bytes(build_icons.TICK)} <= colours
    assert rows[0][3] == 0  # the tile's corner is rounded: transparent


def test_the_manifest_names_only_the_drawn_icons() -> None:
    template = (ROOT / "addin" / "server" / "templates" / "manifest.xml").read_text()
    icons = re.findall(r"/images/([\w.-]+\.png)", template)
    assert sorted(set(icons)) == sorted(build_icons.path(s).name for s in build_icons.SIZES)
    assert "icons/xlwings-" not in template
