"""The server's settings in one place (addin/server/settings.py): documented, applied, checked at start-up."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from importlib.metadata import version
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from ofsted_tracker.addin.server import (
    app as server_app,  # first: it tells xlwings-server its project folder
)
from ofsted_tracker.addin.server import settings as server_settings

IT_PAGE = Path(__file__).resolve().parent.parent / "docs" / "it.md"
OFFICE = "{http://schemas.microsoft.com/office/appforoffice/1.1}"


def test_docs_it_lists_every_setting_with_its_default_and_meaning() -> None:
    page = IT_PAGE.read_text(encoding="utf-8")
    assert server_settings.table() in page, (
        "docs/it.md 'Settings' is not the table of addin/server/settings.py: paste the output of "
        "python -c 'from ofsted_tracker.addin.server.settings import table; print(table())'"
    )


def test_every_xlwings_setting_listed_is_one_xlwings_server_reads() -> None:
    """A setting renamed upstream would be silently ignored: this fails first."""
    from xlwings_server.config import Settings

    for setting in server_settings.XLWINGS:
        field = setting.name.removeprefix("XLWINGS_").lower()
        assert field in Settings.model_fields, (
            f"{setting.name} is not an xlwings-server setting any more"
        )


def test_the_env_example_and_the_table_name_the_same_settings() -> None:
    example = (IT_PAGE.parent.parent / "deploy" / "ofsted-tracker.env.example").read_text(
        encoding="utf-8"
    )
    named = set(re.findall(r"^#?\s*((?:XLWINGS|OFSTED)_[A-Z_]+)=", example, re.M))
    listed = {s.name for s in server_settings.XLWINGS} | {
        "OFSTED_LOG_USERS" if n == "log_users" else f"OFSTED_TRACKER_{n.upper()}"
        for n in server_settings.Ofsted.model_fields
    }
    assert named <= listed, named - listed


def test_each_environment_has_its_own_manifest_id_made_from_the_project_id() -> None:
    ids = {
        env: server_settings.manifest_id(server_settings.PROJECT_ID, env)
        for env in server_settings.ENVIRONMENTS
    }
    assert (
        ids["prod"] == server_settings.PROJECT_ID
    )  # a manifest already uploaded stays the same add-in
    assert len(set(ids.values())) == len(ids)
    for value in ids.values():
        assert uuid.UUID(value).version == 4  # xlwings-server accepts only version-4 ids
    other = str(uuid.uuid4())
    assert server_settings.manifest_id(other, "uat") != ids["uat"]
    assert server_settings.manifest_id(other, "uat") == server_settings.manifest_id(other, "uat")
    for env in server_settings.ENVIRONMENTS:  # applied before xlwings-server read its settings
        assert str(getattr(server_app.settings, f"manifest_id_{env}")) == ids[env]


@pytest.mark.parametrize("environment", server_settings.ENVIRONMENTS)
def test_the_manifest_has_the_environments_id_and_the_package_version(
    environment: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_app.settings, "environment", environment)
    response = TestClient(server_app.app).get("/manifest.xml")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.findtext(f"{OFFICE}Id") == server_settings.manifest_id(
        server_settings.PROJECT_ID, environment
    )
    shown = root.findtext(f"{OFFICE}Version")
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", shown)
    assert shown.startswith(version("ofsted-tracker").split("+")[0].split(".dev")[0])
    name = root.find(f"{OFFICE}DisplayName").get("DefaultValue")
    assert name == (
        "Improvement Plan" if environment == "prod" else f"Improvement Plan [{environment}]"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.1.0", "0.1.0.0"), ("2.3", "2.3.0.0"), ("1.2.3.dev4", "1.2.3.0"), ("1.2.3.4.5", "1.2.3.4")],
)
def test_the_manifest_version_is_four_numbers_from_the_package_version(
    text: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_settings, "package_version", lambda name: text)
    assert server_settings.manifest_version() == expected


def test_the_support_url_setting_reaches_the_manifest(monkeypatch: pytest.MonkeyPatch) -> None:
    from xlwings_server.templates import templates

    monkeypatch.setitem(
        templates.env.globals, "support_url", "https://intranet.council.example/it-help"
    )
    text = TestClient(server_app.app).get("/manifest.xml").text
    assert '<SupportUrl DefaultValue="https://intranet.council.example/it-help" />' in text


def _start(**env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial", **env}
    return subprocess.run(
        [sys.executable, "-c", "import ofsted_tracker.addin.server.app"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"OFSTED_TRACKER_MAX_PAYLOAD_MB": "lots"}, "OFSTED_TRACKER_MAX_PAYLOAD_MB='lots'"),
        ({"OFSTED_TRACKER_MAX_PAYLOAD_MB": "0"}, "OFSTED_TRACKER_MAX_PAYLOAD_MB='0'"),
        ({"OFSTED_TRACKER_PROJECT_ID": "my-plan"}, "OFSTED_TRACKER_PROJECT_ID='my-plan'"),
        ({"XLWINGS_ENVIRONMENT": "live"}, "XLWINGS_ENVIRONMENT='live'"),
        ({"XLWINGS_LICENSE_KEY": ""}, "needs XLWINGS_LICENSE_KEY"),
    ],
)
def test_a_setting_that_cannot_be_used_stops_start_up_with_one_line(env: dict, named: str) -> None:
    done = _start(**env)
    lines = [line for line in done.stderr.splitlines() if not line.startswith("INFO:")]
    assert done.returncode == 1 and len(lines) == 1, done.stderr
    assert lines[0].startswith("ofsted-tracker server: ") and named in lines[0]
