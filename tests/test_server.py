"""The add-in's server (xlwings Server): each script and route called with FastAPI's test client, and one real server.

Payloads are built from real trackers (the demo, a 1,000-action plan, broken ones) as Excel would send them; the
actions that come back are played onto a copy of the file (tests/addin/harness.py) and read back.
"""

from __future__ import annotations

import base64
import email
import email.policy
import io
import json
import os
import socket
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient  # noqa: E402
from openpyxl import load_workbook

from ofsted_tracker.addin import updates  # noqa: E402
from ofsted_tracker.addin.payload import payload  # noqa: E402
from ofsted_tracker.addin.server import app as server_app  # noqa: E402
from ofsted_tracker.addin.server.custom_scripts import FINDING_SHEETS, PLAN_SHEETS  # noqa: E402
from ofsted_tracker.cli import app as cli  # noqa: E402
from ofsted_tracker.workbook.plan import schema  # noqa: E402
from ofsted_tracker.workbook.rules import layout
from tests.addin.harness import apply, grid_as_shown

SCRIPT = "/xlwings/custom-scripts-call/{}"
runner = CliRunner()


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(server_app.app, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def plan_1000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bench.synthetic import make_tracker

    return make_tracker(tmp_path_factory.mktemp("plan") / "plan-1000.xlsx", 1000)


def _cli_summary(path: Path) -> dict:
    result = runner.invoke(cli, ["summary", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _call(client: TestClient, script: str, path: Path, tmp_path: Path, **kwargs):
    include = FINDING_SHEETS if script == "go_to_finding" else PLAN_SHEETS
    response = client.post(SCRIPT.format(script), json=payload(path, include=include, **kwargs))
    assert response.status_code == 200, response.text
    actions = response.json()["actions"]
    return actions, apply(actions, path, tmp_path / f"after-{script}-{path.name}")


def _dashboard_counts(path: Path) -> list[list[object]]:
    ws = load_workbook(path)["Dashboard"]
    first, last = layout.OVERALL_ROWS
    return [[ws.cell(r, c).value for c in (2, 3)] for r in range(first - 1, last + 1)]


def _expected_counts(cli_json: dict) -> list[list[int]]:
    keys = (
        "total",
        "completed_by_deadline",
        "ongoing_within_deadline",
        "not_completed_by_deadline",
    )
    return [[cli_json["overall"][k]["count"], cli_json["recorded"][k]["count"]] for k in keys]


# --- the scripts: what Excel is told to write ------------------------------------------------------------------


@pytest.mark.parametrize("size", ["demo", "1000"])
def test_refresh_writes_the_dashboard_counts_summary_json_gives(
    size: str, demo_master: Path, plan_1000: Path, client: TestClient, tmp_path: Path
) -> None:
    path = demo_master if size == "demo" else plan_1000
    expected = _cli_summary(path)
    actions, after = _call(client, "refresh", path, tmp_path)
    assert after.sheets_written == set(schema.COMPUTED_SHEETS)
    assert _dashboard_counts(after.path) == _expected_counts(expected)
    assert expected["overall"]["total"]["count"] == (61 if size == "demo" else 1000)
    assert after.alerts[0][0].startswith(f"Dashboards refreshed as at {expected['as_at'][8:10]}/")


def test_validate_puts_the_findings_on_checks(
    demo_master: Path, client: TestClient, tmp_path: Path
) -> None:
    expected = _cli_summary(demo_master)
    actions, after = _call(client, "validate", demo_master, tmp_path)
    assert [a["func"] for a in actions] == [
        "sheetClearContents",
        "setValues",
        "setPrintArea",
        "alert",
    ]
    assert after.sheets_written == {schema.CHECKS}
    rows = grid_as_shown(after.path, schema.CHECKS)[layout.TABLE_HEADER_ROW :]
    assert [(r[0], r[1], r[3]) for r in rows] == [
        (f["severity"], f["where"], f["message"]) for f in expected["findings"]
    ]
    assert after.alerts[0][3] == "info"


def test_go_to_finding_selects_the_findings_cell(
    demo_master: Path, client: TestClient, tmp_path: Path
) -> None:
    checks = grid_as_shown(demo_master, schema.CHECKS)
    row = next(
        i for i, r in enumerate(checks, 1) if i > layout.TABLE_HEADER_ROW and "!" in str(r[1])
    )
    actions, after = _call(
        client, "go_to_finding", demo_master, tmp_path, active=schema.CHECKS, selection=f"A{row}"
    )
    assert after.selected == checks[row - 1][1] and after.alerts == []


def test_a_workbook_that_is_not_a_tracker_gets_a_message_not_an_error(
    demo_master: Path, client: TestClient, tmp_path: Path
) -> None:
    wb = load_workbook(demo_master)
    wb.remove(wb["Actions"])
    path = tmp_path / "budget.xlsx"
    wb.save(path)
    for script in ("validate", "refresh"):
        actions, after = _call(client, script, path, tmp_path)
        assert [a["func"] for a in actions] == ["alert"] and after.alerts[0][3] == "critical"
        assert (
            "'budget.xlsx' is not an improvement plan tracker: it has no Actions sheet"
            in after.alerts[0][0]
        )
    response = client.post("/improvement-plan/summary", json=payload(path))
    assert response.status_code == 422 and "no Actions sheet" in response.json()["detail"]


def _tracker_with_logs(tmp_path: Path) -> Path:
    """The demo after a snapshot (History) and requests sent (Requests), as the command line leaves it."""
    from ofsted_tracker.workbook.jobs import send_requests, snapshot

    tracker = _tracker_with_emails(tmp_path)
    snapshot(tracker, date(2016, 10, 31))
    send_requests(tracker, tmp_path / "out", date(2016, 10, 31), "Q2")
    return tracker


def test_only_the_sheets_a_script_reads_are_sent(tmp_path: Path) -> None:
    tracker = _tracker_with_logs(tmp_path)
    sent = {s["name"]: s["values"] != [[]] for s in payload(tracker, include=PLAN_SHEETS)["sheets"]}
    assert {name for name, full in sent.items() if full} == set(PLAN_SHEETS)
    assert (
        set(sent) == set(load_workbook(tracker).sheetnames) > set(PLAN_SHEETS)
    )  # the others: listed, no values
    meta = {
        m["function_name"]: m["include"]
        for m in TestClient(server_app.app).get("/xlwings/custom-scripts-meta.json").json()
    }
    plan = ",".join(PLAN_SHEETS)
    assert meta == {
        "validate": plan,
        "refresh": plan,
        "go_to_finding": "Checks",
        "record_requests": plan,
        "collect_updates": plan,
        "record_snapshot": plan,
    }
    assert PLAN_SHEETS[6:] == ["History", "Requests"]
    main_js = (server_app.PROJECT_DIR / "static" / "js" / "main.js").read_text(encoding="utf-8")
    assert f'const PLAN_SHEETS = "{plan}";' in main_js  # the task pane's routes get the same sheets


# --- the task pane's routes ------------------------------------------------------------------------------------


def test_the_summary_route_gives_exactly_summary_json(
    demo_master: Path, client: TestClient
) -> None:
    response = client.post(
        "/improvement-plan/summary", json=payload(demo_master, include=PLAN_SHEETS)
    )
    assert response.status_code == 200
    assert response.json()["summary"] == _cli_summary(demo_master)
    assert response.json()["message"].startswith("61 actions as at 31/10/2016: 37 Green")


def test_the_summary_route_reads_history_and_requests_as_the_command_line_does(
    client: TestClient, tmp_path: Path
) -> None:
    tracker = _tracker_with_logs(tmp_path)
    given = client.post(
        "/improvement-plan/summary", json=payload(tracker, include=PLAN_SHEETS)
    ).json()["summary"]
    assert given == _cli_summary(tracker)
    assert given["history"] and [o["requests_sent"] for o in given["chase"]] == [1] * 14


def test_the_report_route_offers_the_docx_as_a_download(
    demo_master: Path, client: TestClient
) -> None:
    from docx import Document

    response = client.post(
        "/improvement-plan/report", json=payload(demo_master, include=PLAN_SHEETS)
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument"
    )
    assert 'filename="lewisham-tracker report.docx"' in response.headers["content-disposition"]
    assert "Lewisham" in "\n".join(
        p.text for p in Document(io.BytesIO(response.content)).paragraphs
    )


# --- Request updates and Collect updates: the zip, the log, the preview, the apply --------------------------------


def _tracker_with_emails(tmp_path: Path) -> Path:
    from tests.test_chase import demo_with_emails

    return demo_with_emails(tmp_path / "tracker.xlsx")


def _zip(client: TestClient, tracker: Path) -> zipfile.ZipFile:
    response = client.post("/improvement-plan/requests", json=payload(tracker, include=PLAN_SHEETS))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert 'filename="tracker update requests Q2.zip"' in response.headers["content-disposition"]
    package = zipfile.ZipFile(io.BytesIO(response.content))
    package.request_ids = json.loads(
        response.headers["X-Request-Ids"]
    )  # what the task pane hands record_requests
    return package


def _sent(client: TestClient, tracker: Path, tmp_path: Path) -> tuple[zipfile.ZipFile, Path]:
    """Request updates as the task pane does it: the zip, then record_requests with its ids; the logged tracker."""
    package = _zip(client, tracker)
    _, logged = _script(
        client, "record_requests", tracker, tmp_path / "logged.xlsx", [package.request_ids]
    )
    return package, logged.path


def _upload(name: str, data: bytes) -> dict:
    return {"name": name, "data": base64.b64encode(data).decode()}


def _filled_return(package: zipfile.ZipFile, tmp_path: Path) -> tuple[dict, str, str]:
    """SK's request filled in as SK would: the first action Complete, a new deadline proposed for the second."""
    from tests.test_chase import fill, ids_in

    name = next(n for n in package.namelist() if n.endswith("(SK).xlsx"))
    sk = tmp_path / name
    sk.write_bytes(package.read(name))
    first, second = ids_in(sk)[:2]
    returned = fill(
        sk,
        tmp_path / "returned.xlsx",
        {
            first: {
                "new_status": "Complete",
                "completed_on": date(2016, 10, 20),
                "new_commentary": "Signed off.",
            },
            second: {
                "proposed_deadline": date(2017, 3, 31),
                "reason": "Awaiting the partnership's review",
            },
        },
    )
    return _upload(name, returned.read_bytes()), first, second


def _script(client: TestClient, name: str, tracker: Path, target: Path, args: list | None = None):
    body = payload(tracker, include=PLAN_SHEETS)
    if args is not None:
        body["args"] = args
    response = client.post(SCRIPT.format(name), json=body)
    assert response.status_code == 200, response.text
    actions = response.json()["actions"]
    return actions, apply(actions, tracker, target)


def test_request_updates_gives_one_workbook_and_one_draft_per_owner_in_a_zip(
    client: TestClient, tmp_path: Path
) -> None:
    from ofsted_tracker.workbook.jobs import send_requests

    tracker = _tracker_with_emails(tmp_path)
    package = _zip(client, tracker)
    names = package.namelist()
    sent = send_requests(
        tracker, tmp_path / "cli", date(2016, 10, 31), "Q2"
    )  # what the command line writes
    assert sorted(names) == sorted(p.name for w in sent.written for p in (w.workbook, w.draft))
    books = [n for n in names if n.endswith(".xlsx")]
    assert len(books) == 14 and sorted(n[:-5] for n in books) == sorted(
        n[:-4] for n in names if n.endswith(".eml")
    )
    for book in books:
        draft = email.message_from_bytes(
            package.read(book[:-5] + ".eml"), policy=email.policy.default
        )
        initials = book.rsplit("(", 1)[1].split(")")[0]
        assert draft["To"] == f"{initials.lower()}@council.example" and draft["X-Unsent"] == "1"
        [attachment] = list(draft.iter_attachments())
        assert attachment.get_filename() == book and attachment.get_content() == package.read(book)
    assert (
        tracker.read_bytes() == (tmp_path / "tracker.xlsx").read_bytes()
    )  # the route writes nothing


def test_the_zips_requests_and_the_log_name_the_identity_written_on_settings(
    client: TestClient, tmp_path: Path
) -> None:
    """The download gives the tracker an identity (it has none yet); record_requests writes it on Settings and on
    every log row, and every request in the zip carries it, so their returns can be checked against it."""
    import openpyxl

    from ofsted_tracker.workbook.jobs import open_summary

    package, logged = _sent(client, _tracker_with_emails(tmp_path), tmp_path)
    identity = package.request_ids["tracker"]
    assert len(identity) == 32
    plan = open_summary(logged, date(2016, 10, 31)).plan
    assert plan.setting("Tracker ID") == identity
    assert {e.tracker for e in open_summary(logged, date(2016, 10, 31)).chase_log} == {identity}
    for name in (n for n in package.namelist() if n.endswith(".xlsx")):
        about = openpyxl.load_workbook(io.BytesIO(package.read(name)))["About"]
        assert about["B7"].value == identity, name


def test_record_requests_logs_one_request_sent_per_owner(
    client: TestClient, tmp_path: Path
) -> None:
    from ofsted_tracker.workbook.jobs import open_summary

    tracker = _tracker_with_emails(tmp_path)
    owners = sorted(
        n.rsplit("(", 1)[1].split(")")[0]
        for n in _zip(client, tracker).namelist()
        if n.endswith(".xlsx")
    )
    actions, after = _script(client, "record_requests", tracker, tmp_path / "logged.xlsx")
    assert "Requests" in after.sheets_written and after.alerts[0][3] == "info"
    assert after.alerts[0][0].startswith("14 update requests downloaded as one zip")
    log = open_summary(after.path, date(2016, 10, 31)).chase_log
    assert sorted(e.owner for e in log) == owners and {(e.event, e.period) for e in log} == {
        ("Request sent", "Q2")
    }
    # the task pane's summary sees the log (the Dashboard's chase list), because PLAN_SHEETS sends Requests;
    # a payload without it would read the sheet as damaged
    chase = client.post(
        "/improvement-plan/summary", json=payload(after.path, include=PLAN_SHEETS)
    ).json()["summary"]
    assert sorted(o["owner"] for o in chase["chase"] if o["requests_sent"] == 1) == owners
    assert not [f for f in chase["findings"] if f["sheet"] == "Requests"]
    six = client.post(
        "/improvement-plan/summary", json=payload(after.path, include=PLAN_SHEETS[:6])
    ).json()["summary"]
    assert [f["sheet"] for f in six["findings"] if f["sheet"] == "Requests"] == ["Requests"]


def test_record_snapshot_after_the_report_records_what_the_command_lines_report_records(
    client: TestClient, demo_master: Path, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from ofsted_tracker.cli import app as cli
    from ofsted_tracker.workbook.jobs import open_summary

    actions, after = _script(client, "record_snapshot", demo_master, tmp_path / "recorded.xlsx")
    assert "History" in after.sheets_written and after.alerts[-1][0].startswith(
        "Recorded the Q2 snapshot as at 31/10/2016"
    )
    copy = tmp_path / "cli.xlsx"
    copy.write_bytes(demo_master.read_bytes())
    assert (
        CliRunner().invoke(cli, ["report", str(copy), "-o", str(tmp_path / "r.docx")]).exit_code
        == 0
    )
    assert open_summary(after.path).history == open_summary(copy).history != ()


def test_request_updates_with_no_one_to_ask_is_a_422(client: TestClient, tmp_path: Path) -> None:
    from ofsted_tracker.workbook.demo import demo_rows
    from ofsted_tracker.workbook.jobs import new_tracker

    rows = demo_rows()
    rows["Leads"] = []  # every owner is unknown: nobody to ask
    tracker = new_tracker(tmp_path / "no-leads.xlsx", rows)
    response = client.post("/improvement-plan/requests", json=payload(tracker, include=PLAN_SHEETS))
    assert response.status_code == 422 and response.json()["detail"].startswith(
        updates.NOTHING_TO_ASK
    )
    assert (
        "No request for owners not in Leads: " in response.json()["detail"]
        and "'SK' (" in response.json()["detail"]
    )


def test_collect_previews_a_return_and_writes_nothing(client: TestClient, tmp_path: Path) -> None:
    package, tracker = _sent(client, _tracker_with_emails(tmp_path), tmp_path)
    upload, first, second = _filled_return(package, tmp_path)
    body = {**payload(tracker, include=PLAN_SHEETS), "args": [[upload]]}
    response = client.post("/improvement-plan/collect", json=body)
    assert response.status_code == 200, response.text
    preview = response.json()
    assert {(u["action"], u["field"], u["new"]) for u in preview["updates"]} == {
        (first, "status", "Complete"),
        (first, "completed_on", "20/10/2016"),
        (first, "commentary", "Signed off."),
        (first, "last_updated", "31/10/2016"),
    }
    assert {(u["field"], u["file"], u["cell"]) for u in preview["updates"]} == {
        ("status", upload["name"], "F5"),
        ("completed_on", upload["name"], "G5"),
        ("commentary", upload["name"], "H5"),
        ("last_updated", upload["name"], "F5"),
    }  # the cell of the return that says so
    assert [(r["action"], r["new_deadline"]) for r in preview["revisions"]] == [
        (second, "31/03/2017")
    ]
    assert preview["refused"] == [] and preview["applied"] is False and "actions" not in preview
    assert len(preview["lines"]) == 5 and preview["lines"][-1].startswith(
        f"{second}  new deadline proposed"
    )
    assert preview["message"] == (
        "1 return: 4 changes and 1 proposed deadline. Check them, then click Apply these changes."
    )
    assert preview["recorded_rag"] == [
        {
            "action": first,
            "recorded": "A",
            "rule": "G",
            "said": f"{first}: recorded Amber, the rule gives Green after this return",
            "file": upload["name"],
            "set": False,
        }
    ]  # the task pane's question "Also set Recorded RAG to the rule's rating"


def test_collect_shows_a_refused_value_with_its_place(client: TestClient, tmp_path: Path) -> None:
    from tests.test_chase import fill

    package, tracker = _sent(client, _tracker_with_emails(tmp_path), tmp_path)
    name = next(n for n in package.namelist() if n.endswith("(SK).xlsx"))
    (tmp_path / name).write_bytes(package.read(name))
    from tests.test_chase import ids_in

    first = ids_in(tmp_path / name)[0]
    returned = fill(
        tmp_path / name, tmp_path / "late.xlsx", {first: {"completed_on": date(2030, 1, 1)}}
    )
    body = {
        **payload(tracker, include=PLAN_SHEETS),
        "args": [[_upload(name, returned.read_bytes())]],
    }
    preview = client.post("/improvement-plan/collect", json=body).json()
    [refused] = preview["refused"]
    assert (
        refused["where"].startswith(f"[{name}]Update request!G") and refused["action_id"] == first
    )
    assert preview["updates"] == [] and "Nothing to change" in preview["message"]


def _not_a_request(tmp_path: Path) -> bytes:
    return _tracker_with_emails(tmp_path).read_bytes()


@pytest.mark.parametrize(
    "uploads, says",
    [
        ([{"name": "returned.xlsx", "data": "not base64!"}], "returned.xlsx did not arrive whole"),
        ([_upload("notes.txt", b"hello")], "notes.txt is not an Excel workbook (.xlsx)"),
        ([{"data": base64.b64encode(b"x").decode()}], "Returned file 1 was sent without its name"),
        ([], "No returned files were sent"),
        (None, "No returned files were sent"),
        (
            [_upload("renamed.xlsx", b"Action,Status\n1.1,Complete\n")],
            "renamed.xlsx is not an Excel workbook (.xlsx)",
        ),
        ("plan", "plan.xlsx is not an update request made by 'ofsted-tracker requests'"),
    ],
)
def test_a_bad_upload_gets_a_422_naming_the_file(
    uploads, says: str, client: TestClient, tmp_path: Path
) -> None:
    if uploads == "plan":
        uploads = [_upload("plan.xlsx", _not_a_request(tmp_path))]
    body = payload(_tracker_with_emails(tmp_path), include=PLAN_SHEETS)
    if uploads is not None:
        body["args"] = [uploads]
    response = client.post("/improvement-plan/collect", json=body)
    assert response.status_code == 422, response.text
    assert says in response.json()["detail"] and "Traceback" not in response.text
    assert (
        str(tmp_path) not in response.text and "/tmp" not in response.text
    )  # no server folder in the message


def test_a_bad_upload_to_the_script_is_a_message_box_not_an_error(
    client: TestClient, tmp_path: Path
) -> None:
    tracker = _tracker_with_emails(tmp_path)
    actions, after = _script(
        client,
        "collect_updates",
        tracker,
        tmp_path / "after.xlsx",
        [[_upload("plan.xlsx", tracker.read_bytes())]],
    )
    assert [a["func"] for a in actions] == ["alert"] and after.alerts[0][3] == "critical"
    assert after.alerts[0][0].startswith("plan.xlsx is not an update request")


def _collected_by_script(client: TestClient, tmp_path: Path, *more: object):
    """Requests sent and logged, SK's return filled in, then the script collect_updates on it (``more``: its further
    arguments, the task pane's "Also set Recorded RAG" box): the upload, SK's two actions, the actions, the book."""
    package, logged = _sent(client, _tracker_with_emails(tmp_path), tmp_path)
    upload, first, second = _filled_return(package, tmp_path)
    actions, after = _script(
        client, "collect_updates", logged, tmp_path / "collected.xlsx", [[upload], *more]
    )
    return upload, first, second, actions, after


def test_collect_updates_writes_the_return_and_again_changes_nothing(
    client: TestClient, tmp_path: Path
) -> None:
    from ofsted_tracker.workbook.jobs import open_summary

    upload, first, second, actions, after = _collected_by_script(client, tmp_path)
    assert (
        after.alerts[0][0].startswith("Wrote 4 changes and 1 proposed deadline (")
        and after.alerts[0][3] == "info"
    )
    assert after.sheets_written == {"Actions", "Revisions", "Requests"}
    s = open_summary(after.path, date(2016, 10, 31), "Q2")
    action = next(a for a in s.plan.actions if a.action_id == first)
    assert (action.status, action.completed_on, action.commentary) == (
        "Complete",
        date(2016, 10, 20),
        "Signed off.",
    )
    [revision] = [
        r for r in s.plan.revisions if r.action_id == second and r.new_deadline == date(2017, 3, 31)
    ]
    assert not revision.approved and revision.reason == "Awaiting the partnership's review"
    assert [(e.owner, e.event) for e in s.chase_log if e.event == "Return received"] == [
        ("SK", "Return received")
    ]
    assert action.recorded_rag == "A" and "Recorded RAG set" not in {e.event for e in s.chase_log}
    # the task pane then refreshes quietly: the dashboards follow, and collect_updates' message stays on screen
    actions, refreshed = _script(client, "refresh", after.path, tmp_path / "refreshed.xlsx", [True])
    assert refreshed.sheets_written == set(schema.COMPUTED_SHEETS) and refreshed.alerts == []
    assert _dashboard_counts(refreshed.path) == _expected_counts(_cli_summary(after.path))
    # the same return again: nothing to change, nothing written
    actions, again = _script(
        client, "collect_updates", after.path, tmp_path / "again.xlsx", [[upload]]
    )
    assert [a["func"] for a in actions] == ["alert"] and again.alerts[0][0].startswith(
        "Nothing to change"
    )


def test_collect_updates_with_the_box_ticked_sets_recorded_rag_to_the_rule_logged(
    client: TestClient, tmp_path: Path
) -> None:
    from ofsted_tracker.workbook.jobs import open_summary

    _, first, _, _, after = _collected_by_script(client, tmp_path, True)
    assert f"Set the Recorded RAG of 1 action to the rule's rating ({first})" in after.alerts[0][0]
    s = open_summary(after.path, date(2016, 10, 31), "Q2")
    assert next(a for a in s.plan.actions if a.action_id == first).recorded_rag == "G"
    [set_by_rule] = [e for e in s.chase_log if e.event == "Recorded RAG set"]
    assert (set_by_rule.owner, set_by_rule.actions, set_by_rule.note) == (
        "SK",
        (first,),
        "Amber to Green: set to the rule's rating after this return",
    )


def _node() -> str:
    """Node.js, which checks the task pane's JavaScript: a missing one fails the test, as a missing LibreOffice does
    (``OFSTED_TRACKER_NO_OFFICE=1`` skips instead, knowingly)."""
    import shutil

    from tests.report import office

    office.require("node")
    return shutil.which("node")


@pytest.mark.parametrize("name", ["main.js", "ribbon.js"])
def test_the_task_panes_javascript_parses_as_the_module_the_page_loads(
    name: str, tmp_path: Path
) -> None:
    module = tmp_path / (
        name[:-3] + ".mjs"
    )  # Node checks a .js file as a script, where 'export' passes unread
    module.write_text(
        (server_app.PROJECT_DIR / "static" / "js" / name).read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    result = subprocess.run(
        [_node(), "--check", str(module)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_every_element_main_js_uses_is_on_the_task_pane(client: TestClient) -> None:
    import re

    main_js = (server_app.PROJECT_DIR / "static" / "js" / "main.js").read_text(encoding="utf-8")
    page = client.get("/taskpane.html")
    assert page.status_code == 200
    ids = set(re.findall(r'getElementById\("([\w-]+)"\)', main_js)) | set(
        re.findall(r'"#([\w-]+)[ "]', main_js)
    )
    attributes = set(re.findall(r'querySelectorAll\("\[([\w-]+)\]"\)', main_js))
    assert {"ip-returns", "ip-apply", "ip-preview"} <= ids and {
        "data-ip-requests",
        "data-ip-collect",
    } <= attributes
    for name in ids:
        assert f'id="{name}"' in page.text, name
    for name in attributes:
        assert re.search(rf"<(button|input)[^>]*\b{name}\b", page.text), name
    assert re.search(r'<input type="file" multiple accept=".xlsx" id="ip-returns"', page.text)
    style = re.search(
        r'<link rel="stylesheet" href="(/static/css/improvement-plan.css)"', page.text
    )
    assert style, (
        "the pane's own stylesheet (wrapping in a narrow pane, refused rows in red) is not linked"
    )
    css = client.get(style.group(1))
    assert (
        css.status_code == 200
        and css.headers["content-type"].startswith("text/css")
        and ".ip-refused" in css.text
    )


def test_the_task_pane_asks_the_server_in_order(tmp_path: Path) -> None:
    """main.js in Node with a stand-in page: zip then log, preview then Apply with the same files, quiet refresh."""
    module = tmp_path / "main.mjs"
    module.write_text(
        (server_app.PROJECT_DIR / "static" / "js" / "main.js").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    check = Path(__file__).parent / "addin" / "main_js_check.mjs"
    result = subprocess.run(
        [_node(), str(check), str(module)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stdout.strip() == "main.js: ok", result.stderr


# --- bad requests: a clear 4xx, never a 500 with a traceback ---------------------------------------------------


ROUTES = [
    SCRIPT.format("refresh"),
    SCRIPT.format("collect_updates"),
    "/improvement-plan/summary",
    "/improvement-plan/report",
    "/improvement-plan/requests",
    "/improvement-plan/collect",
]


@pytest.mark.parametrize(
    "body, status, says",
    [
        (b"", 400, "No workbook was sent"),
        (b"{not json", 400, "The body is not JSON"),
        (b"\xff\xfe", 400, "The body is not JSON"),
        (b"[1, 2]", 422, "must be a JSON object"),
        (b'{"book": {"name": "x.xlsx"}, "sheets": []}', 422, "'sheets' must be a non-empty list"),
        (
            b'{"book": {"name": "x.xlsx"}, "sheets": [{"name": "Actions", "values": "A1"}]}',
            422,
            "'values' must be a list",
        ),
        (
            b'{"book": {"name": "x.xlsx", "active_sheet_index": 9}, "sheets": [{"name": "A", "values": [[]]}]}',
            422,
            "active_sheet_index",
        ),
        (b"[" * 200_000, 400, "nested far too deep"),  # gave a 500 (RecursionError)
        (b'{"a": ' * 100_000 + b"1" + b"}" * 100_000, 400, "nested far too deep"),
        (  # cells made of objects: gave 200 with "Something unexpected went wrong (TypeError ...)"
            b'{"book": {"name": "x.xlsx"}, "sheets": [{"name": "Actions", "values": [["1.1", {"x": 1}]]}]}',
            422,
            "row 1, column 2 is not a cell's value",
        ),
    ],
)
@pytest.mark.parametrize("route", ROUTES)
def test_a_malformed_body_gets_a_clear_4xx(
    route: str, body: bytes, status: int, says: str, client: TestClient
) -> None:
    response = client.post(route, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status and says in response.json()["detail"]
    assert "Traceback" not in response.text


def test_an_oversized_body_gets_413(
    demo_master: Path, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = json.dumps(payload(demo_master)).encode()
    monkeypatch.setattr(server_app, "MAX_PAYLOAD_MB", len(body) / 2 / 1024 / 1024)
    response = client.post(
        SCRIPT.format("refresh"), content=body, headers={"Content-Type": "application/json"}
    )
    assert (
        response.status_code == 413
        and "larger than this server accepts" in response.json()["detail"]
    )


def test_a_payload_of_the_right_shape_with_odd_cells_never_gives_a_500(
    demo_master: Path, client: TestClient
) -> None:
    data = payload(demo_master, include=PLAN_SHEETS)
    actions = next(s for s in data["sheets"] if s["name"] == "Actions")
    actions["values"][3] = [{"odd": 1}, None, 3.5, ["x"]]  # not what Excel sends
    response = client.post(SCRIPT.format("refresh"), json=data)
    assert response.status_code < 500, response.text


def test_an_unknown_script_is_a_404_naming_the_scripts(
    demo_master: Path, client: TestClient
) -> None:
    response = client.post(
        SCRIPT.format("build_report_now"), json=payload(demo_master, include=PLAN_SHEETS)
    )
    assert response.status_code == 404
    assert response.json()["detail"] == (
        "No script 'build_report_now': the scripts are collect_updates, go_to_finding, "
        "record_requests, record_snapshot, refresh, validate."
    )


# --- sign-in ---------------------------------------------------------------------------------------------------


def test_with_sign_in_on_a_call_without_a_token_gets_401(
    demo_master: Path, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_app.settings, "auth_providers", ["entraid"])
    for route in ROUTES:
        response = client.post(route, json=payload(demo_master, include=PLAN_SHEETS))
        assert response.status_code == 401, route
        assert "Bearer" in response.json()["detail"]


def test_without_sign_in_only_this_computer_is_answered(demo_master: Path) -> None:
    body = payload(demo_master, include=PLAN_SHEETS)
    remote = TestClient(server_app.app, client=("10.1.2.3", 50000))
    response = remote.post(SCRIPT.format("refresh"), json=body)
    assert response.status_code == 403 and "no sign-in configured" in response.json()["detail"]
    proxied = TestClient(server_app.app, client=("127.0.0.1", 50000)).post(
        SCRIPT.format("refresh"), json=body, headers={"X-Forwarded-For": "192.0.2.7"}
    )
    assert proxied.status_code == 403
    assert TestClient(server_app.app, client=("127.0.0.1", 50000)).get("/").status_code == 200


def test_serve_refuses_other_hosts_without_sign_in() -> None:
    from ofsted_tracker.addin.server.serve import check_host
    from ofsted_tracker.workbook.errors import UnusableInput

    with pytest.raises(UnusableInput, match="Refusing to listen on 0.0.0.0"):
        check_host("0.0.0.0", [])
    check_host("0.0.0.0", ["entraid"])
    check_host("127.0.0.1", [])


# --- the command line: payload, and serve end to end -----------------------------------------------------------


def test_the_payload_command_writes_what_excel_would_send(demo_master: Path) -> None:
    result = runner.invoke(cli, ["payload", str(demo_master)])
    assert result.exit_code == 0
    assert json.loads(result.output) == json.loads(
        json.dumps(payload(demo_master, include=PLAN_SHEETS))
    )
    missing = runner.invoke(cli, ["payload", "no-such.xlsx"])
    assert missing.exit_code == 2 and "no-such.xlsx: no such file" in missing.output


def test_the_self_signed_certificate_loads(tmp_path: Path) -> None:
    import ssl

    from ofsted_tracker.addin.server.serve import certificate

    cert, key, origin = certificate(tmp_path)
    assert "self-signed" in origin and oct(key.stat().st_mode)[-3:] == "600"
    ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    assert certificate(tmp_path)[:2] == (cert, key)  # made once, then reused


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_a_posted_demo_payload_over_https(demo_master: Path, tmp_path: Path) -> None:
    """``ofsted-tracker serve`` then the README's curl line: the Dashboard writes equal ``summary --json``."""
    import httpx

    port = _free_port()
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ofsted_tracker",
            "serve",
            "--port",
            str(port),
            "--cert-dir",
            str(tmp_path / "certs"),
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = runner.invoke(cli, ["payload", str(demo_master)]).output
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.post(
                    f"https://127.0.0.1:{port}{SCRIPT.format('refresh')}",
                    content=body,
                    headers={"Content-Type": "application/json"},
                    verify=False,
                    timeout=30,
                )
                break
            except httpx.ConnectError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "the server did not start within 60 s"
                time.sleep(0.3)
        assert response.status_code == 200
        after = apply(response.json()["actions"], demo_master, tmp_path / "after.xlsx")
        assert _dashboard_counts(after.path) == _expected_counts(_cli_summary(demo_master))
    finally:
        server.terminate()
        server.wait(timeout=30)
