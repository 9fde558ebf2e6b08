"""Every setting of the add-in's server in one place: its name, its default and what it means.

Two families, both read from the environment (or the env file the service names, see ``deploy/``):

- ``XLWINGS_*`` are xlwings-server's own settings (its ``xlwings_server.config.Settings``, read once when it is
  imported). ``XLWINGS`` below lists the ones a deployment of this add-in needs, with this project's defaults:
  ``apply_defaults`` puts them in the environment, under anything IT has set, before xlwings-server reads them.
- ``OFSTED_*`` are this project's (``Ofsted``, a pydantic-settings object, read by ``load``).

The manifest ids: Microsoft 365 tells add-ins apart by the manifest's ``<Id>``. Each environment xlwings-server
knows (``ENVIRONMENTS``) gets its own id, made from one project id (``OFSTED_TRACKER_PROJECT_ID``), so a test
add-in (``XLWINGS_ENVIRONMENT=uat``) can sit beside the live one. ``prod`` is the project id itself; the others
are derived from it (``manifest_id``). A council that wants ids of its own sets the project id once.

``docs/it.md`` "Settings" holds ``table()``; tests/test_server_settings.py fails while the two differ.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version

from pydantic import UUID4, AliasChoices, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

ENVIRONMENTS = (
    "dev",
    "qa",
    "uat",
    "staging",
    "prod",
)  # xlwings-server's XLWINGS_ENVIRONMENT values
PROJECT_ID = (
    "1555c734-5578-4b12-b8ac-a69bc0a90e36"  # this add-in's prod manifest id since its first release
)


@dataclass(frozen=True)
class Setting:
    """One setting as IT reads it in docs/it.md: its variable, its default as typed, and its meaning."""

    name: str
    default: str
    meaning: str
    preset: bool = (
        False  # this project puts the default in the environment (xlwings-server's own differs)
    )


class Ofsted(BaseSettings):
    """This project's own settings (``OFSTED_TRACKER_*``, and ``OFSTED_LOG_USERS``)."""

    model_config = SettingsConfigDict(env_prefix="OFSTED_TRACKER_", extra="ignore")

    project_id: UUID4 = Field(
        default=PROJECT_ID,
        description="The add-in's manifest id in prod; the other environments' ids are made from it.",
    )
    max_payload_mb: float = Field(
        default=25,
        gt=0,
        description=(
            "The largest workbook a click may send, in MB (413 above it). Keep the proxy's body limit equal to it."
        ),
    )
    support_url: str | None = Field(
        default=None,
        description=(
            "The council's IT help page, opened by the add-in's Support link; without it, the task pane."
        ),
    )
    log_users: bool = Field(
        default=False,
        validation_alias=AliasChoices("OFSTED_LOG_USERS"),
        description=(
            "1 writes officers' names in xlwings-server's sign-in log lines; the access log has ids only."
        ),
    )


XLWINGS = (
    Setting(
        "XLWINGS_LICENSE_KEY",
        "",
        "Required. `noncommercial` for a council (PolyForm Noncommercial 1.0.0), else a commercial xlwings key.",
    ),
    Setting(
        "XLWINGS_HOSTNAME",
        "localhost:8000",
        "The server's DNS name (and port, if not 443), used in the manifest's URLs. Required with Entra ID.",
    ),
    Setting(
        "XLWINGS_ENVIRONMENT",
        "prod",
        "`prod`, or `dev`, `qa`, `uat`, `staging`: a test add-in with its own id and its name tagged [uat].",
    ),
    Setting(
        "XLWINGS_AUTH_PROVIDERS",
        "[]",
        'Sign-in: `["entraid"]` for Entra ID. Without it the server serves only the computer it runs on.',
    ),
    Setting(
        "XLWINGS_AUTH_ENTRAID_CLIENT_ID",
        "",
        "The app registration's Application (client) ID. Required with Entra ID.",
    ),
    Setting(
        "XLWINGS_AUTH_ENTRAID_TENANT_ID",
        "",
        "The council's Directory (tenant) ID. Required with Entra ID.",
    ),
    Setting(
        "XLWINGS_AUTH_REQUIRED_ROLES",
        "[]",
        'App roles a signed-in officer must hold, e.g. `["ImprovementPlan.User"]`; `[]` lets every signed-in user.',
    ),
    Setting(
        "XLWINGS_APP_PATH",
        "",
        "A path prefix when the server sits under one (e.g. `/improvement-plan`) behind the proxy.",
    ),
    Setting(
        "XLWINGS_PROJECT_NAME",
        "Improvement Plan",
        "The add-in's name on the ribbon tab and in the admin centre.",
        preset=True,
    ),
    *(
        Setting(
            f"XLWINGS_MANIFEST_ID_{env.upper()}",
            "(from the project id)",
            f"The manifest id when XLWINGS_ENVIRONMENT={env}; set OFSTED_TRACKER_PROJECT_ID instead.",
        )
        for env in ENVIRONMENTS
    ),
    Setting(
        "XLWINGS_ENABLE_SOCKETIO",
        "false",
        "Off: no streaming functions, so any number of workers can serve.",
        preset=True,
    ),
    Setting(
        "XLWINGS_ENABLE_HOTRELOAD", "false", "Off in production (development only).", preset=True
    ),
    Setting(
        "XLWINGS_ENABLE_EXAMPLES",
        "false",
        "Off: xlwings-server's example scripts are not served.",
        preset=True,
    ),
    Setting(
        "XLWINGS_CORS_ALLOW_ORIGINS",
        "[]",
        "None: the task pane is served by this server, so no other origin needs to call it.",
        preset=True,
    ),
    Setting(
        "XLWINGS_LOG_LEVEL",
        "INFO",
        "DEBUG adds xlwings-server's detail; tokens are redacted at every level.",
    ),
)


def _uuid4_shaped(digest: bytes) -> str:
    """A UUID of version 4's shape (xlwings-server's settings accept only those) from 16 bytes of a hash."""
    return str(uuid.UUID(bytes=digest[:16], version=4))


def manifest_id(project_id: str, environment: str) -> str:
    """The manifest id of an environment: the project id for prod, else one made from it and the name."""
    if environment == "prod":
        return str(uuid.UUID(project_id))
    return _uuid4_shaped(hashlib.sha256(f"{uuid.UUID(project_id)}:{environment}".encode()).digest())


def manifest_version() -> str:
    """The manifest's ``<Version>``, from the package's version: ``0.1.0`` -> ``0.1.0.0`` (Office wants n.n.n.n).

    Upgrading the package therefore changes the version Microsoft 365 sees when IT re-uploads the manifest.
    """
    try:
        text = package_version("ofsted-tracker")
    except PackageNotFoundError:  # a checkout on sys.path without an install
        text = "0"
    parts = [int(p) for p in re.match(r"\d+(?:\.\d+)*", text).group().split(".")[:4]]
    return ".".join(str(p) for p in parts + [0] * (4 - len(parts)))


def load() -> Ofsted:
    """This project's settings, checked: a value that cannot be used stops start-up with one line naming it."""
    try:
        return Ofsted()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = first["loc"][0] if first["loc"] else "?"
        variable = (
            "OFSTED_LOG_USERS"
            if name == "OFSTED_LOG_USERS"
            else f"OFSTED_TRACKER_{str(name).upper()}"
        )
        raise SystemExit(
            f"ofsted-tracker server: {variable}={first.get('input')!r} cannot be used: {first['msg']}."
        ) from None


def apply_defaults(ofsted: Ofsted) -> None:
    """Put this project's XLWINGS_* defaults and each environment's manifest id in the environment, under anything
    already set (IT's env file wins), before xlwings-server reads its settings."""
    for setting in XLWINGS:
        if setting.preset:
            os.environ.setdefault(setting.name, setting.default)
    for env in ENVIRONMENTS:
        os.environ.setdefault(
            f"XLWINGS_MANIFEST_ID_{env.upper()}", manifest_id(str(ofsted.project_id), env)
        )


def table() -> str:
    """The Markdown table of every setting for docs/it.md."""
    rows = ["| Setting | Default | What it means |", "|---|---|---|"]
    for setting in XLWINGS:
        rows.append(f"| `{setting.name}` | {_shown(setting.default)} | {setting.meaning} |")
    for name, field in Ofsted.model_fields.items():
        alias = field.validation_alias
        variable = alias.choices[0] if alias else f"OFSTED_TRACKER_{name.upper()}"
        default = field.default
        shown = "0" if default is False else "" if default is None else str(default)
        rows.append(f"| `{variable}` | {_shown(shown)} | {field.description} |")
    return "\n".join(rows)


def _shown(default: str) -> str:
    if not default:
        return "(not set)"
    return default if default.startswith("(") else f"`{default}`"
