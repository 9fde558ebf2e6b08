"""The guards in front of xlwings-server's app, as one ASGI middleware: they decide before a byte of the body is read.

In this order, each refusal a JSON ``{"detail": <one sentence>}`` and nothing run:

1. ``GET <app path>/health`` answers ``{"status": "ok", "version": ...}`` to anyone (no sign-in, no data);
2. with no sign-in configured, only this computer is answered: the socket's peer must be a loopback address and the
   request must carry no forwarded header of any form (``X-Forwarded-For``, ``Forwarded``, ``X-Real-IP``,
   ``X-Forwarded-Host``, ...), since a proxy in front makes every caller look local (403);
3. on the script and Improvement Plan routes (POST), with sign-in on: the bearer token is checked first, unchached,
   and must carry an ``exp`` still in the future (401);
4. the body must be declared ``application/json`` (415);
5. the body is read as it streams, chunked or not, and refused as soon as it passes the limit (413): never more than
   the limit is held. The app then gets the body as read.
"""

from __future__ import annotations

import importlib.metadata
import ipaddress
import json
import time
from collections.abc import Awaitable, Callable

from fastapi import HTTPException

from ofsted_tracker.addin.server import logs

Scope = dict
ASGI = Callable[[Scope, Callable, Callable], Awaitable[None]]

FORWARDED = frozenset(
    {
        "forwarded",
        "x-real-ip",
        "x-client-ip",
        "true-client-ip",
        "cf-connecting-ip",
        "x-cluster-client-ip",
        "fastly-client-ip",
        "client-ip",
        "via",
    }
)
"""Headers a proxy adds naming the real caller or the way it came (any ``x-forwarded-*`` header counts too)."""


def version() -> str:
    """The installed package's version."""
    return importlib.metadata.version("ofsted-tracker")


def forwarded(headers: dict[str, str]) -> list[str]:
    """The forwarded headers of a request, by name."""
    return sorted(h for h in headers if h in FORWARDED or h.startswith("x-forwarded-"))


def is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host.strip()).is_loopback
    except ValueError:
        return host == "testclient"  # Starlette's TestClient names its client "testclient"


async def _send_json(send: Callable, status: int, content: dict) -> None:
    body = json.dumps(content).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Refused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


class Guard:
    """The ASGI app in front of ``inner``; ``settings`` is xlwings-server's, read at each request (tests change it)."""

    def __init__(
        self,
        inner: ASGI,
        settings,
        limit_bytes: Callable[[], int],
        guarded_prefixes: tuple[str, ...],
        authenticate: Callable[[str, str | None], Awaitable[object]],
    ) -> None:
        self.inner, self.settings, self.limit_bytes = inner, settings, limit_bytes
        self.guarded, self.authenticate = guarded_prefixes, authenticate
        self.health = f"{settings.app_path}/health"

    async def __call__(self, scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        started, status = time.perf_counter(), [500]

        async def sending(message: dict) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.guarded_call(scope, receive, sending)
        finally:
            user = scope.get("state", {}).get("user")
            ms = (time.perf_counter() - started) * 1000
            logs.access(scope["method"], scope["path"], status[0], ms, getattr(user, "id", None))

    async def guarded_call(self, scope: Scope, receive: Callable, send: Callable) -> None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        path = scope["path"]
        if path == self.health and scope["method"] in ("GET", "HEAD"):
            await _send_json(send, 200, {"status": "ok", "version": version()})
            return
        try:
            self.only_this_computer(scope, headers)
            if scope["method"] == "POST" and path.startswith(self.guarded):
                scope.setdefault("state", {})["user"] = await self.signed_in(headers)
                receive = await self.read_body(headers, receive)
        except Refused as refused:
            await _send_json(send, refused.status, {"detail": refused.detail})
            return
        await self.inner(scope, receive, send)

    def only_this_computer(self, scope: Scope, headers: dict[str, str]) -> None:
        if self.settings.auth_providers:
            return
        peer = scope["client"][0] if scope.get("client") else None
        proxied = forwarded(headers)
        if not is_loopback(peer) or proxied:
            why = (
                f"it came through a proxy ({', '.join(proxied)})"
                if proxied
                else f"it came from {peer}"
            )
            raise Refused(
                403,
                "This server has no sign-in configured, so it answers only the computer it runs on, and "
                f'{why}. Turn on Entra ID sign-in (XLWINGS_AUTH_PROVIDERS=["entraid"]) to serve others.',
            )

    async def signed_in(self, headers: dict[str, str]) -> object | None:
        if not self.settings.auth_providers:
            return None
        try:
            return await self.authenticate(
                headers.get("authorization", ""), headers.get("auth-provider")
            )
        except HTTPException as exc:
            raise Refused(exc.status_code, str(exc.detail)) from None
        except Exception:  # a token the provider's code cannot even parse: refused, never a 500
            raise Refused(401, "Your sign-in could not be checked: sign in again.") from None

    async def read_body(self, headers: dict[str, str], receive: Callable) -> Callable:
        media = headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/json":
            raise Refused(
                415,
                f"The body must be sent as application/json, not {media or 'with no content type'}.",
            )
        limit = self.limit_bytes()
        declared = headers.get("content-length", "")
        too_big = Refused(
            413,
            f"The workbook sent is larger than this server accepts ({limit / 1024 / 1024:g} MB). Ask IT to "
            "raise OFSTED_TRACKER_MAX_PAYLOAD_MB, or remove very large sheets that are not part of the plan.",
        )
        if declared.isdigit() and int(declared) > limit:
            raise too_big
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise Refused(400, "The request was closed before its body was sent.")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise too_big
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> dict:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        return replay


def expiring(claims: dict, now: float | None = None) -> None:
    """Refuse a token's claims without an ``exp``, or with one already past."""
    exp = claims.get("exp")
    if not isinstance(exp, int | float):
        raise HTTPException(
            status_code=401, detail="Auth error: the token has no expiry (exp); sign in again."
        )
    if exp <= (time.time() if now is None else now):
        raise HTTPException(
            status_code=401, detail="Auth error: the token has expired; sign in again."
        )
