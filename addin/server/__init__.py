"""The Improvement Plan add-in for Excel on the web, Windows and Mac: an xlwings Server project (no Python on PCs).

This folder is an xlwings-server project directory (``custom_scripts/``, ``custom_functions/``,
``templates/``, ``static/``): the ribbon's scripts, the task pane and the manifest. ``ofsted_tracker.addin.server.app``
builds the ASGI app from xlwings-server's own FastAPI app; ``ofsted-tracker serve`` runs it. Importing this
package imports nothing else: xlwings-server is an optional dependency (``pip install 'ofsted-tracker[server]'``).
"""

from __future__ import annotations

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
LICENCE_HELP = (
    "xlwings Server needs XLWINGS_LICENSE_KEY. A council may use it free under PolyForm Noncommercial "
    "1.0.0 (use by a government institution is a permitted purpose): set XLWINGS_LICENSE_KEY=noncommercial. "
    "Anyone else needs a commercial xlwings licence key."
)
