"""The ASGI app: xlwings-server's own FastAPI app with our scripts, task pane, manifest, routes and two guards.

Run it with ``ofsted-tracker serve`` (development) or ``gunicorn ofsted_tracker.addin.server.app:app -k uvicorn_worker.UvicornWorker``
(production). Settings: every one, its default and its meaning, is in ``settings.py`` (xlwings-server's ``XLWINGS_*`` and this
project's ``OFSTED_*``); this module applies them before xlwings-server reads its own. The
server keeps no state between calls: every click sends the workbook and gets back what to write.

The guards (``guard.Guard``, in front of xlwings-server's app, before the body is read): ``GET /health`` to anyone;
without sign-in only this computer, with no forwarded header (403); with sign-in a valid unexpired token (401);
``application/json`` (415); a body up to ``OFSTED_TRACKER_MAX_PAYLOAD_MB`` (default 25), counted as it streams (413).
Then a body that is not a workbook payload gets 400 or 422 (``read_payload``), each with a sentence saying what is
wrong, never a 500 with a traceback. Entra ID on without its client id, tenant id or hostname stops the import
with one line (SystemExit).
"""

from __future__ import annotations

import json
import os
import sys

from pydantic import ValidationError

from ofsted_tracker.addin.server import LICENCE_HELP, PROJECT_DIR
from ofsted_tracker.addin.server import settings as settings_module

OFSTED = settings_module.load()  # a value that cannot be used stops here, with one line
MAX_PAYLOAD_MB = OFSTED.max_payload_mb

if (
    "xlwings_server.config" in sys.modules
    and sys.modules["xlwings_server.config"].PROJECT_DIR != PROJECT_DIR
):
    raise ImportError(
        "xlwings_server was imported before ofsted_tracker.addin.server.app, so it took its project folder from the "
        "current directory; import ofsted_tracker.addin.server.app first"
    )
os.environ["XLWINGS_PROJECT_DIR"] = str(
    PROJECT_DIR
)  # our scripts, templates and static files, never the cwd's
settings_module.apply_defaults(OFSTED)

try:
    from xlwings_server.config import settings  # noqa: E402  (reads the XLWINGS_* settings, once)
except ValidationError as _exc:
    _error = _exc.errors()[0]
    raise SystemExit(
        f"ofsted-tracker server: XLWINGS_{str(_error['loc'][0]).upper()}={_error.get('input')!r} cannot be used: "
        f"{_error['msg']}."
    ) from None
if not settings.license_key:  # xlwings itself would stop its import with a traceback
    raise SystemExit(f"ofsted-tracker server: {LICENCE_HELP}")

from fastapi import Form, HTTPException, Request  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402
from xlwings_server import dependencies as dep  # noqa: E402
from xlwings_server.auth import entraid  # noqa: E402
from xlwings_server.main import app as fastapi_app  # noqa: E402
from xlwings_server.main import main_app  # noqa: E402
from xlwings_server.templates import templates  # noqa: E402

from ofsted_tracker.addin.payload import problem  # noqa: E402
from ofsted_tracker.addin.server import logs  # noqa: E402
from ofsted_tracker.addin.server.guard import Guard, expiring  # noqa: E402
from ofsted_tracker.addin.server.routes import router  # noqa: E402


def max_payload_bytes() -> int:
    """The largest request body accepted, in bytes."""
    return int(MAX_PAYLOAD_MB * 1024 * 1024)


async def read_payload(
    request: Request, form_data: str | None = Form(None, alias="bookData")
) -> dict:
    """The workbook payload of a request, checked: 400 when not JSON, 422 when not a workbook."""
    body = form_data.encode() if form_data else await request.body()  # the guard has limited it
    if not body:
        raise HTTPException(status_code=400, detail="No workbook was sent: the body is empty.")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HTTPException(status_code=400, detail=f"The body is not JSON ({exc}).") from None
    # "[[[[..." nested deeper than Python's parser recurses: refused, never a 500
    except RecursionError:
        raise HTTPException(
            status_code=400,
            detail="The body is not a workbook payload: its JSON is nested far too deep.",
        ) from None
    wrong = problem(data)
    if wrong:
        raise HTTPException(status_code=422, detail=f"The body is not a workbook payload: {wrong}.")
    return data


def _scripts() -> frozenset[str]:
    import custom_scripts  # our custom_scripts package, as xlwings-server imported it from PROJECT_DIR

    return frozenset(name for name, f in vars(custom_scripts).items() if hasattr(f, "__xlscript__"))


SCRIPTS = _scripts()
SCRIPT_ROUTE = f"{settings.app_path}/xlwings/custom-scripts-call/"


@fastapi_app.middleware("http")
async def only_known_scripts(request: Request, call_next):
    """A script name that is not one of ours gets 404 (xlwings-server would fail with a 500)."""
    path = request.url.path
    if path.startswith(SCRIPT_ROUTE) and path[len(SCRIPT_ROUTE) :] not in SCRIPTS:
        return JSONResponse(
            status_code=404,
            content={
                "detail": (
                    f"No script '{path[len(SCRIPT_ROUTE) :][:60]}': the scripts are {', '.join(sorted(SCRIPTS))}."
                )
            },
        )
    return await call_next(request)


async def authenticate(token: str, provider: str | None) -> object:
    """The signed-in user of a request, checked afresh each time (xlwings-server caches a valid token for an hour,
    past its expiry): Entra ID's own validation, uncached, then the token must carry an ``exp`` still to come."""
    if settings.auth_providers == ["entraid"]:
        user = await entraid.validate_token.__wrapped__(token)
        expiring(user.claims)
        return user
    return await dep.authenticate(token_string=token, auth_provider=provider)


def check_settings() -> str | None:
    """What is missing from an incomplete configuration, as one sentence (None when complete)."""
    if "entraid" in (settings.auth_providers or []):
        for name in ("auth_entraid_client_id", "auth_entraid_tenant_id", "hostname"):
            if not getattr(settings, name):
                return (
                    f"Entra ID sign-in is on (XLWINGS_AUTH_PROVIDERS) but XLWINGS_{name.upper()} is not set: "
                    "set it, or turn sign-in off."
                )
    return None


fastapi_app.dependency_overrides[dep.parse_book_input] = read_payload
fastapi_app.include_router(router)
_missing = check_settings()
if _missing:
    raise SystemExit(f"ofsted-tracker server: {_missing}")
if (
    not settings.hostname
):  # the manifest's URLs: never the request's Host header (without sign-in, this computer)
    settings.hostname = "localhost:8000"
logs.install(OFSTED.log_users)
# The manifest's version and Support link: Jinja globals, the extension point xlwings-server uses for url_for
templates.env.globals.update(
    addin_version=settings_module.manifest_version(), support_url=OFSTED.support_url
)
app = Guard(
    main_app,
    settings,
    max_payload_bytes,
    (SCRIPT_ROUTE, f"{settings.app_path}/improvement-plan/"),
    authenticate,
)
