"""The server's logs: one access line per request, tokens never written, officers' names only when asked.

- ``ofsted_tracker.access`` (INFO): ``<method> <route> <status> <ms>ms`` and ``user=<id>`` when signed in (Entra ID's
  object id, not a name); never a query string, a header, a token or a cell value;
- ``RedactTokens``, on every handler of the root logger (and uvicorn's) from start-up: ``Bearer ...`` and anything
  shaped like a JWT become ``[redacted]`` at every level, xlwings-server's DEBUG lines included;
- without ``OFSTED_LOG_USERS=1``, xlwings-server's sign-in loggers (which name the officer) write warnings only.
"""

from __future__ import annotations

import logging
import re

ACCESS = logging.getLogger("ofsted_tracker.access")
TOKEN = re.compile(r"(?i)\bbearer\s+\S+|\beyJ[\w-]*\.[\w-]*\.[\w-]*")
NAMING_LOGGERS = (
    "xlwings_server.auth.entraid",
    "xlwings_server.models.user",
    "xlwings_server.dependencies",
)


class RedactTokens(logging.Filter):
    """Replace bearer tokens and JWT-looking strings in a record's message (its arguments merged in first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = TOKEN.sub("[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:  # a traceback can quote a token too
            record.exc_text = TOKEN.sub(
                "[redacted]", logging.Formatter().formatException(record.exc_info)
            )
        elif record.exc_text:
            record.exc_text = TOKEN.sub("[redacted]", record.exc_text)
        return True


def install(log_users: bool) -> None:
    """Put the filter on the root's and uvicorn's handlers; keep officers' names out unless OFSTED_LOG_USERS=1."""
    handlers = list(logging.getLogger().handlers)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "gunicorn.error", "gunicorn.access"):
        handlers += logging.getLogger(name).handlers
    for handler in handlers:
        if not any(isinstance(f, RedactTokens) for f in handler.filters):
            handler.addFilter(RedactTokens())
    if not log_users:
        for name in NAMING_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
    ACCESS.setLevel(logging.INFO)


def access(method: str, route: str, status: int, ms: float, user_id: str | None) -> None:
    """The access line of one request."""
    who = f" user={user_id}" if user_id else ""
    ACCESS.info("%s %s %d %.0fms%s", method, route, status, ms, who)
