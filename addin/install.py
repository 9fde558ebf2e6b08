"""Put the ribbon add-ins where Excel loads them at start-up, with the xlwings settings a click needs.

Excel opens every workbook in the user's start-up folder (XLSTART) when it starts, add-ins included:
``%APPDATA%\\Microsoft\\Excel\\XLSTART`` on Windows and ``~/Library/Group Containers/UBF8T346G9.Office/User
Content/Startup/Excel`` on macOS. The settings go into each add-in's own ``myaddin.conf`` sheet, the first
place its VBA looks (before any ``myaddin.conf`` file): the interpreter of this installation and the
project's folder on Python's path. macOS Excel runs Python through xlwings' AppleScript, copied beside it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import ofsted_tracker
from ofsted_tracker.addin.build import build
from ofsted_tracker.workbook.errors import TrackerError

# the folder holding the ofsted_tracker package
PROJECT_DIR = Path(ofsted_tracker.__file__).resolve().parent.parent
MAC_EXCEL = Path("/Applications/Microsoft Excel.app")
MAC_STARTUP = Path("Library/Group Containers/UBF8T346G9.Office/User Content/Startup/Excel")
MAC_SCRIPTS = Path("Library/Application Scripts/com.microsoft.Excel")
OUR_ADDINS = "ofsted_tracker.addin.ribbon_*.xlam"
RETIRED_ADDINS = (
    "addin.ribbon_*.xlam"  # the same buttons, named before the one import package: replaced
)


@dataclass(frozen=True)
class ExcelSetup:
    """Where this computer's Excel loads add-ins from (and, on macOS, where it looks for AppleScripts)."""

    system: str  # "Windows" or "macOS"
    startup: Path
    applescripts: Path | None = None

    @property
    def interpreter_key(self) -> str:
        return "Interpreter_Win" if self.system == "Windows" else "Interpreter_Mac"


def _windows_has_excel() -> bool:
    try:
        import winreg
    except ImportError:
        return False
    try:
        winreg.CloseKey(winreg.OpenKey(winreg.HKEY_CLASSES_ROOT, r"Excel.Application\CurVer"))
    except OSError:
        return False
    return True


def excel_setup(
    platform: str = sys.platform,
    home: Path | None = None,
    environ: dict[str, str] | None = None,
    excel_present: bool | None = None,
) -> ExcelSetup | None:
    """This computer's Excel start-up folder, or None when Excel is not installed (every argument injectable)."""
    home = Path.home() if home is None else home
    environ = dict(os.environ) if environ is None else environ
    if platform.startswith("win"):
        present = _windows_has_excel() if excel_present is None else excel_present
        appdata = environ.get("APPDATA")
        if not present or not appdata:
            return None
        return ExcelSetup("Windows", Path(appdata) / "Microsoft" / "Excel" / "XLSTART")
    if platform == "darwin":
        present = MAC_EXCEL.exists() if excel_present is None else excel_present
        return ExcelSetup("macOS", home / MAC_STARTUP, home / MAC_SCRIPTS) if present else None
    return None


def _xlwings_applescript() -> Path | None:
    spec = importlib.util.find_spec("xlwings")
    folder = (
        Path(list(spec.submodule_search_locations)[0])
        if spec and spec.submodule_search_locations
        else None
    )
    return next(iter(sorted(folder.glob("xlwings-*.applescript"))), None) if folder else None


def install(
    setup: ExcelSetup | None = None, python: str = sys.executable, project: Path = PROJECT_DIR
) -> str:
    """Install the add-ins for this computer's Excel and say what was done.

    Without Excel nothing is changed and TrackerError says so (the command exits 2: there was nothing to install into).
    """
    setup = setup or excel_setup()
    if setup is None:
        where = {"linux": "Linux", "darwin": "this Mac", "win32": "this Windows PC"}.get(
            sys.platform, sys.platform
        )
        raise TrackerError(
            f"Excel is not installed here ({where}), so there is no ribbon to add the tab to; nothing was installed. "
            "Run 'ofsted-tracker addin install' on the officer's Windows or Mac computer with Excel. Here, use the "
            "command line: ofsted-tracker validate, refresh and report do what the buttons do."
        )
    setup.startup.mkdir(parents=True, exist_ok=True)
    settings = {setup.interpreter_key: python, "PYTHONPATH": str(project)}
    ours = sorted(setup.startup.glob(OUR_ADDINS)) + sorted(setup.startup.glob(RETIRED_ADDINS))
    written = build(setup.startup, settings)
    for stale in set(ours) - set(written):  # a button since removed from the ribbon
        stale.unlink()
    lines = [
        f"Installed the Improvement Plan tab for Excel on {setup.system}: "
        f"{len(written)} add-ins in {setup.startup}.",
        f"A click runs {python} with {project} on Python's path.",
    ]
    if setup.system == "macOS" and setup.applescripts is not None:
        script = _xlwings_applescript()
        if script is None:
            lines.append(
                "xlwings' AppleScript was not found: run 'xlwings runpython install' once."
            )
        else:
            setup.applescripts.mkdir(parents=True, exist_ok=True)
            shutil.copy2(script, setup.applescripts / script.name)
            lines.append(
                f"Copied {script.name} to {setup.applescripts} so that Excel can start Python."
            )
    lines.append(
        "Quit Excel completely and start it again: the 'Improvement Plan' tab appears next to Home."
    )
    return "\n".join(lines)
