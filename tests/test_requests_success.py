"""An action's "What does success look like?" in the owner's update request (issue 20, item 8): a grey, read-only
column beside the action's text when some action of the plan has one, the owner's columns one to the right, and
returns read, checked and located in that layout; a plan without it keeps the request as it was."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import openpyxl
import pytest

from ofsted_tracker.workbook.demo import demo_rows
from ofsted_tracker.workbook.jobs import new_tracker, open_summary, send_requests
from ofsted_tracker.workbook.rules.chase import REQUEST_SHEET, collect
from ofsted_tracker.workbook.store.request_files import READ_ONLY_FILL
from ofsted_tracker.workbook.store.returns import read_return
from tests.test_chase import AS_AT, demo_with_emails, ids_in, request_of

MEASURES = {
    "1.2": "The Emergency Duty Team answers within 30 minutes",
    "1.3": "Every referral screened within 24 hours",
}


@pytest.fixture()
def measured(tmp_path) -> Path:
    """The demo tracker with an e-mail address for every lead and a success measure on two of SK's actions."""
    rows = demo_rows()
    for lead in rows["Leads"]:
        lead["email"] = f"{lead['initials'].lower()}@council.example"
    for action in rows["Actions"]:
        if action["action_id"] in MEASURES:
            action["success_measure"] = MEASURES[action["action_id"]]
    return new_tracker(tmp_path / "tracker.xlsx", rows)


def _pk(sent) -> Path:
    """Paul King's request: he owns 1.2 and 1.3."""
    return next(w.workbook for w in sent.written if w.request.lead.name == "Paul King")


def test_the_request_shows_the_success_measure_read_only_beside_the_action(measured, tmp_path):
    sent = send_requests(measured, tmp_path / "out", AS_AT, "Q2")
    book = _pk(sent)
    ws = openpyxl.load_workbook(book)[REQUEST_SHEET]
    header = [ws.cell(4, c).value for c in range(1, 12)]
    assert header[:4] == [
        "Action ID",
        "Action",
        "What does success look like?",
        "Deadline in force",
    ]
    assert header[6:] == [
        "New status",
        "Completed on",
        "Your commentary",
        "Proposed new deadline",
        "Reason for the new deadline",
    ]
    shown = {ws.cell(r, 1).value: ws.cell(r, 3) for r in range(5, ws.max_row + 1)}
    assert {k: shown[k].value for k in MEASURES} == MEASURES
    blank = next(c for k, c in shown.items() if k not in MEASURES)
    assert blank.value in (None, "")  # an action without one: an empty grey cell
    for cell in (shown["1.3"], blank):
        assert cell.protection.locked and cell.fill.fgColor.rgb.endswith(READ_ONLY_FILL)
    assert not ws["G5"].protection.locked and ws["F5"].protection.locked
    assert "white columns G to K" in ws["A2"].value
    kinds = {(v.type, str(v.sqref)[0]) for v in ws.data_validations.dataValidation}
    assert {("list", "G"), ("date", "H"), ("date", "J")} <= kinds
    draft = email.message_from_bytes(
        next(w.draft for w in sent.written if w.workbook == book).read_bytes(),
        policy=policy.default,
    )
    assert "what success looks like" in draft.get_body(("plain",)).get_content()


def test_a_return_with_the_success_measure_is_read_and_located_in_its_layout(measured, tmp_path):
    sent = send_requests(measured, tmp_path / "out", AS_AT, "Q2")
    wb = openpyxl.load_workbook(_pk(sent))
    ws = wb[REQUEST_SHEET]
    rows = {ws.cell(r, 1).value: r for r in range(5, ws.max_row + 1)}
    ws.protection.sheet = False
    ws[f"G{rows['1.3']}"] = "Complete"
    ws[f"H{rows['1.3']}"] = AS_AT
    ws[f"I{rows['1.3']}"] = "Screening now within the day."
    ws[f"G{rows['1.4']}"] = "Finished"  # not a status: refused at its cell, G
    ws[f"C{rows['1.2']}"] = "Something easier"  # the read-only success measure typed over
    wb.save(tmp_path / "pk.xlsx")
    summary = open_summary(measured, AS_AT)
    returned = read_return(tmp_path / "pk.xlsx")
    got = collect(summary.plan, [returned], AS_AT, summary.chase_log)
    found = {(r.code, r.where) for r in got.refusals}
    assert found == {
        ("return-status", f"[pk.xlsx]Update request!G{rows['1.4']}"),
        ("return-read-only", f"[pk.xlsx]Update request!C{rows['1.2']}"),
    }
    read_only = next(r for r in got.refusals if r.code == "return-read-only")
    assert "What does success look like?" in read_only.message
    changed = {(u.action_id, u.field): u.new for u in got.updates}
    assert changed[("1.3", "status")] == "Complete"
    assert changed[("1.3", "commentary")] == "Screening now within the day."
    assert next(u for u in got.updates if u.field == "status").cell == f"G{rows['1.3']}"


def test_a_plan_without_success_measures_keeps_the_request_as_it_was(tmp_path):
    tracker = demo_with_emails(tmp_path / "tracker.xlsx")
    sent = send_requests(tracker, tmp_path / "out", AS_AT, "Q2")
    book = request_of(sent, "SK")
    ws = openpyxl.load_workbook(book)[REQUEST_SHEET]
    assert [ws.cell(4, c).value for c in (2, 3, 6)] == ["Action", "Deadline in force", "New status"]
    assert "white columns F to J" in ws["A2"].value
    assert ids_in(book)
    assert read_return(book).columns[2].header == "Deadline in force"
