"""Chase and collect: update requests per owner, returns filled in as an owner would, refusals, apply, the chase list."""

from __future__ import annotations

import email
import json
import os
import shutil
import zipfile
from datetime import date
from email import policy
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from lxml import etree

from ofsted_tracker.cli import app
from ofsted_tracker.workbook.demo import demo_rows
from ofsted_tracker.workbook.errors import UnusableInput
from ofsted_tracker.workbook.jobs import (
    apply_returns,
    collect_returns,
    new_tracker,
    open_summary,
    send_requests,
    snapshot,
)
from ofsted_tracker.workbook.rules.chase import REQUEST_SHEET, collect, owners_of, plan_requests
from ofsted_tracker.workbook.store.package import NS, sheet_parts
from ofsted_tracker.workbook.store.request_files import request_workbook
from ofsted_tracker.workbook.store.returns import read_return

AS_AT = date(2016, 10, 31)
FIXTURES = Path(__file__).parent / "fixtures"


def demo_with_emails(path: Path, skip: str = "") -> Path:
    """The demo tracker with an e-mail address for every lead but ``skip``."""
    rows = demo_rows()
    for lead in rows["Leads"]:
        if lead["initials"] != skip:
            lead["email"] = f"{lead['initials'].lower()}@council.example"
    return new_tracker(path, rows)


@pytest.fixture()
def demo(tmp_path) -> Path:
    return demo_with_emails(tmp_path / "tracker.xlsx")


def ids_in(book: Path) -> list[str]:
    ws = openpyxl.load_workbook(book)[REQUEST_SHEET]
    return [ws.cell(r, 1).value for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value]


def fill(book: Path, out: Path, rows: dict[str, dict[str, object]]) -> Path:
    """Fill a request as an owner would: by action id, the columns F..J (new_status, completed_on, ...)."""
    letters = {
        "new_status": "F",
        "completed_on": "G",
        "new_commentary": "H",
        "proposed_deadline": "I",
        "reason": "J",
    }
    wb = openpyxl.load_workbook(book)
    ws = wb[REQUEST_SHEET]
    for r in range(5, ws.max_row + 1):
        for field, value in rows.get(ws.cell(r, 1).value, {}).items():
            ws[f"{letters.get(field, field)}{r}"] = value
    wb.save(out)
    return out


def request_of(sent, initials: str) -> Path:
    return next(w.workbook for w in sent.written if w.request.lead.initials == initials)


def test_requests_for_the_demo_one_file_per_owner_with_their_actions(demo, tmp_path):
    sent = send_requests(demo, tmp_path / "out", AS_AT, "Q2")
    plan = open_summary(demo, AS_AT, "Q2").plan
    q2 = plan.period("Q2")
    owners = {w.request.lead.initials for w in sent.written}
    assert len(sent.written) == len(owners) == 14
    for w in sent.written:
        expected = [
            a.action_id
            for a in plan.actions
            if w.request.lead.initials in owners_of(plan, a)
            and (not a.is_complete or q2.contains(a.original_deadline) or q2.contains(a.deadline))
        ]
        assert ids_in(w.workbook) == expected, w.workbook.name
        assert (
            w.workbook.name
            == f"Q2 update request - {w.request.lead.name} ({w.request.lead.initials}).xlsx"
        )
        assert w.draft.with_suffix(".xlsx") == w.workbook
    shared = next(a for a in plan.actions if set(a.owners) == {"DD", "SK"} and not a.is_complete)
    assert shared.action_id in ids_in(request_of(sent, "SK")) and shared.action_id in ids_in(
        request_of(sent, "DD")
    )
    assert dict(sent.requests.unknown) == {"RR": ("4.2",), "JSt": ("6.1",), "JH": ("6.1", "9.8")}
    assert sent.requests.findings == ()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        [w.workbook.name for w in sent.written] + [w.draft.name for w in sent.written]
    )


def test_the_request_is_protected_but_for_the_owners_columns(demo, tmp_path):
    book = request_of(send_requests(demo, tmp_path / "out", AS_AT, "Q2"), "SK")
    wb = openpyxl.load_workbook(book)
    ws = wb[REQUEST_SHEET]
    assert ws.protection.sheet
    assert all(ws[f"{c}5"].protection.locked for c in "ABCDE")
    assert not any(ws[f"{c}5"].protection.locked for c in "FGHIJ")
    assert "Fill in only the white columns" in ws["A2"].value
    kinds = {(v.type, str(v.sqref)[0]) for v in ws.data_validations.dataValidation}
    assert {("list", "F"), ("date", "G"), ("date", "I")} <= kinds
    assert wb["About"].sheet_state == "hidden" and wb["About"]["B1"].value == "SK"


def test_the_draft_parses_and_carries_the_workbook(demo, tmp_path):
    w = next(
        w
        for w in send_requests(demo, tmp_path / "out", AS_AT, "Q2").written
        if w.request.lead.initials == "SK"
    )
    message = email.message_from_bytes(w.draft.read_bytes(), policy=policy.default)
    assert message["To"] == "sk@council.example" and message["X-Unsent"] == "1"
    assert "Q2" in message["Subject"]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == w.workbook.name
    assert (
        attachment.get_content_type()
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert attachment.get_content() == w.workbook.read_bytes()


def test_a_missing_address_is_a_finding_and_the_draft_has_no_recipient(tmp_path):
    tracker = demo_with_emails(tmp_path / "t.xlsx", skip="KN")
    sent = send_requests(tracker, tmp_path / "out", AS_AT, "Q2")
    [finding] = sent.requests.findings
    row = next(
        lead.row for lead in open_summary(tracker, AS_AT).plan.leads if lead.initials == "KN"
    )
    assert (finding.where, finding.code) == (f"Leads!D{row}", "lead-email")
    draft = next(w.draft for w in sent.written if w.request.lead.initials == "KN")
    assert email.message_from_bytes(draft.read_bytes(), policy=policy.default)["To"] is None


def test_every_refusal_is_located(demo, tmp_path):
    sent = send_requests(demo, tmp_path / "out", AS_AT, "Q2")
    book = request_of(sent, "SK")
    sk = ids_in(book)
    wb = openpyxl.load_workbook(book)
    ws = wb[REQUEST_SHEET]
    ws.protection.sheet = False  # an owner who unprotects the sheet and types over the grey columns
    ws["F6"] = "Finished"  # not a status
    ws["G7"] = "31st Septembre 2016"  # not a date
    ws["F8"] = "Complete"
    ws["G8"] = date(2016, 12, 1)  # after the as-at date
    ws["E9"] = "I rewrote the commentary"  # a read-only column
    wb.save(tmp_path / "sk.xlsx")
    ws["A5"] = "99.9"  # an action the request did not ask about: the whole file is refused
    wb.save(tmp_path / "sk-added.xlsx")
    foreign = next(w for w in sent.written if w.request.lead.initials == "GS")
    wb = openpyxl.load_workbook(foreign.workbook)
    wb["About"]["B1"] = (
        "SK"  # GS's request passed off as SK's: refused whole, the log says it was sent to GS
    )
    wb.save(tmp_path / "gs-as-sk.xlsx")
    summary = open_summary(demo, AS_AT)
    plan = summary.plan
    got = collect(
        plan,
        [read_return(tmp_path / n) for n in ("sk.xlsx", "sk-added.xlsx", "gs-as-sk.xlsx")],
        AS_AT,
        summary.chase_log,
    )
    found = {(r.code, r.where) for r in got.refusals}
    assert ("return-not-asked", "[sk-added.xlsx]Update request!A5") in found
    assert ("return-owner-changed", "[gs-as-sk.xlsx]About!B1") in found
    assert not [
        r
        for r in got.refusals
        if r.sheet.startswith(("[sk-added", "[gs-as-sk"))
        and r.code not in ("return-not-asked", "return-owner-changed")
    ]  # a file refused whole gives one finding, nothing else
    assert ("return-status", "[sk.xlsx]Update request!F6") in found
    assert ("return-date", "[sk.xlsx]Update request!G7") in found
    (bad_date,) = [r.message for r in got.refusals if r.code == "return-date"]
    assert bad_date.count("dd/mm/yyyy") == 1, bad_date  # its instruction once
    assert ("return-future", "[sk.xlsx]Update request!G8") in found
    assert ("return-read-only", "[sk.xlsx]Update request!E9") in found
    assert not got.changes and sk  # every changed row was refused whole


def test_two_owners_returning_different_values_are_both_refused(demo, tmp_path):
    sent = send_requests(demo, tmp_path / "out", AS_AT, "Q2")
    log = open_summary(demo, AS_AT).chase_log
    plan = open_summary(demo, AS_AT).plan
    shared = next(
        a.action_id
        for a in plan.actions
        if set(owners_of(plan, a)) >= {"SK", "DD"} and a.action_id in ids_in(request_of(sent, "SK"))
    )
    a = fill(request_of(sent, "SK"), tmp_path / "sk.xlsx", {shared: {"new_status": "Complete"}})
    b = fill(request_of(sent, "DD"), tmp_path / "tb.xlsx", {shared: {"new_status": "At risk"}})
    got = collect(plan, [read_return(a), read_return(b)], AS_AT, log)
    conflicts = [r for r in got.refusals if r.code == "return-conflict"]
    assert {r.sheet for r in conflicts} == {"[sk.xlsx]Update request", "[tb.xlsx]Update request"}
    assert all(r.cell.startswith("F") for r in conflicts) and not got.updates
    same = fill(request_of(sent, "DD"), tmp_path / "tb2.xlsx", {shared: {"new_status": "Complete"}})
    agreed = collect(plan, [read_return(a), read_return(same)], AS_AT, log)
    assert [(u.action_id, u.field, u.new) for u in agreed.updates if u.field == "status"] == [
        (shared, "status", "Complete")
    ]


def test_done_when_requests_returns_collect_apply_summary_picture(tmp_path):
    """The issue's done-when, on a copy of the demo that carries an officer's picture."""
    from openpyxl.drawing.image import Image as Picture
    from PIL import Image

    tracker = demo_with_emails(tmp_path / "demo.xlsx")
    Image.new("RGB", (40, 20), (200, 30, 30)).save(tmp_path / "logo.png")
    wb = openpyxl.load_workbook(tracker)
    wb["Leads"].add_image(
        Picture(str(tmp_path / "logo.png")), "H2"
    )  # an officer adds the council's logo
    wb.save(tracker)
    with zipfile.ZipFile(tracker) as z:
        [picture] = [n for n in z.namelist() if n.startswith("xl/media/")]
        logo = z.read(picture)
    runner = CliRunner()
    # 1. one workbook and one draft per owner
    out = tmp_path / "requests"
    result = runner.invoke(
        app,
        ["requests", str(tracker), "--out", str(out), "--period", "Q2", "--as-of", "31/10/2016"],
    )
    assert result.exit_code == 0, result.output
    # one action is 'action 4.2', two 'actions 6.1, 9.8'
    assert "No request for 'RR' (not in Leads): action 4.2\n" in result.output
    assert "No request for 'JH' (not in Leads): actions 6.1, 9.8\n" in result.output
    books, drafts = sorted(out.glob("*.xlsx")), sorted(out.glob("*.eml"))
    assert len(books) == len(drafts) == 14 and [b.stem for b in books] == [d.stem for d in drafts]
    # 2. SK's return: one action Complete with a date and commentary, a new deadline proposed for another
    sk = next(b for b in books if b.stem.endswith("(SK)"))
    first, second = [i for i in ids_in(sk)][:2]
    returned = fill(
        sk,
        tmp_path / "returned.xlsx",
        {
            first: {
                "new_status": "Complete",
                "completed_on": date(2016, 10, 20),
                "new_commentary": "Signed off by the board.",
            },
            second: {
                "proposed_deadline": date(2017, 3, 31),
                "reason": "Awaiting the partnership's review",
            },
        },
    )
    # 3. the preview shows both, and writes nothing
    before = tracker.read_bytes()
    result = runner.invoke(
        app, ["collect", str(tracker), str(returned), "--as-of", "31/10/2016", "--json"]
    )
    assert result.exit_code == 0, result.output
    preview = json.loads(result.output)
    assert {(u["action"], u["field"], u["new"]) for u in preview["updates"]} == {
        (first, "status", "Complete"),
        (first, "completed_on", "20/10/2016"),
        (first, "commentary", "Signed off by the board."),
        (first, "last_updated", "31/10/2016"),
    }
    assert [(p["action"], p["new_deadline"]) for p in preview["revisions"]] == [
        (second, "31/03/2017")
    ]
    assert preview["refused"] == [] and tracker.read_bytes() == before
    # the console preview names each value by its Actions column header, not the field name
    text = runner.invoke(app, ["collect", str(tracker), str(returned), "--as-of", "31/10/2016"])
    assert f"{first}  Completed on: '' -> '20/10/2016'" in text.output, text.output
    assert (
        f"{first}  Last updated: " in text.output and f"{first}  Progress status: " in text.output
    )
    assert "completed_on" not in text.output and "last_updated" not in text.output
    # 4. --apply: summary shows the first complete and a not-yet-agreed revision for the second
    result = runner.invoke(
        app, ["collect", str(tracker), str(returned), "--apply", "--as-of", "31/10/2016"]
    )
    assert result.exit_code == 0, result.output
    assert "Applied 4 changes and 1 proposed deadline to demo.xlsx" in result.output
    summary = json.loads(
        runner.invoke(app, ["summary", str(tracker), "--json", "--period", "Q2"]).output
    )
    s = open_summary(tracker, AS_AT, "Q2")
    action = next(a for a in s.plan.actions if a.action_id == first)
    assert (action.status, action.completed_on, action.commentary) == (
        "Complete",
        date(2016, 10, 20),
        "Signed off by the board.",
    )
    assert first in summary["overall"]["completed_by_deadline"]["actions"]
    [revision] = [
        r
        for r in summary["revisions"]
        if r["action"] == second and r["new_deadline"] == "2017-03-31"
    ]
    assert revision["agreed_by"] == "" and revision["reason"] == "Awaiting the partnership's review"
    assert next(
        a for a in s.plan.actions if a.action_id == second
    ).current_deadline is None or next(
        a for a in s.plan.actions if a.action_id == second
    ).current_deadline != date(2017, 3, 31)
    chase = {o["owner"]: o for o in summary["chase"]}
    assert (chase["SK"]["requests_sent"], chase["SK"]["returns_received"]) == (1, 1)
    assert first not in chase["SK"]["without_update"]["actions"]
    # 5. the officer's picture is byte-identical
    with zipfile.ZipFile(tracker) as z:
        assert z.read(picture) == logo
    # and applying the same return again changes nothing
    after = tracker.read_bytes()
    result = runner.invoke(
        app, ["collect", str(tracker), str(returned), "--apply", "--as-of", "31/10/2016"]
    )
    assert result.exit_code == 0 and "Nothing to change" in result.output
    assert tracker.read_bytes() == after


def _cells(data: bytes) -> dict[str, bytes]:
    root = etree.fromstring(data)
    return {c.get("r"): etree.tostring(c) for c in root.iter(f"{{{NS}}}c")}


@pytest.mark.parametrize(
    "name", ["officer-additions.xlsx", "officer-additions-libreoffice.xlsx", "officer-macros.xlsm"]
)
def test_apply_changes_only_the_cells_it_names(name, tmp_path):
    tracker = tmp_path / name
    shutil.copyfile(FIXTURES / name, tracker)
    summary = open_summary(tracker, AS_AT)
    plan = summary.plan
    request = plan_requests(plan, plan.period("Q2"), AS_AT).requests[0]
    book = tmp_path / "request.xlsx"
    request_workbook(request, tracker.name).save(
        book
    )  # made by hand, not logged: an older request, so trusted below
    first, second = request.actions[0], request.actions[1]
    returned = fill(
        book,
        tmp_path / "returned.xlsx",
        {
            first.action_id: {
                "new_status": "Complete",
                "completed_on": date(2016, 10, 1),
                "new_commentary": "Done <&> ok",
            },
            second.action_id: {"proposed_deadline": date(2017, 6, 30), "reason": "Later"},
        },
    )
    assert collect(plan, [read_return(returned)], AS_AT).refusals[0].code == "return-unlogged"
    collected = collect(plan, [read_return(returned)], AS_AT, trust_unlogged=True)
    assert collected.changes and not collected.refusals and collected.unlogged == ("returned.xlsx",)
    with zipfile.ZipFile(tracker) as z:
        old = {i.filename: z.read(i) for i in z.infolist()}
        parts = sheet_parts(z)
    apply_returns(tracker, summary, collected)
    with zipfile.ZipFile(tracker) as z:
        new = {i.filename: z.read(i) for i in z.infolist()}
    actions, revisions = parts["Actions"], parts["Revisions"]
    allowed = {
        actions,
        revisions,
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
    }
    changed = {n for n in old if old[n] != new.get(n)}
    grown = {n for n in changed if n.startswith("xl/tables/")}
    assert changed - allowed - grown == set()
    assert len(grown) <= 1
    assert set(new) - set(old), "the Requests sheet is added"
    columns = {
        f: plan.columns["Actions"][f]
        for f in ("status", "completed_on", "commentary", "last_updated")
        if f in plan.columns["Actions"]
    }
    named = {f"{columns[f]}{first.row}" for f in columns}
    before, after = _cells(old[actions]), _cells(new[actions])
    assert {r for r in before if before[r] != after.get(r)} <= named
    assert set(after) - set(before) <= named
    s = open_summary(tracker, AS_AT, "Q2")
    done = next(a for a in s.plan.actions if a.action_id == first.action_id)
    assert (done.status, done.completed_on, done.commentary) == (
        "Complete",
        date(2016, 10, 1),
        "Done <&> ok",
    )
    proposed = s.plan.revisions[-1]
    assert (proposed.action_id, proposed.new_deadline, proposed.reason, proposed.approved) == (
        second.action_id,
        date(2017, 6, 30),
        "Later",
        False,
    )
    openpyxl.load_workbook(tracker, keep_vba=name.endswith(".xlsm"))  # still opens
    again = collect(s.plan, [read_return(returned)], AS_AT, s.chase_log, trust_unlogged=True)
    assert (
        not again.changes and not again.refusals
    )  # the same return twice: nothing the second time


def test_commentary_unchanged_since_the_last_snapshot(demo, tmp_path):
    snapshot(demo, date(2016, 7, 31), "Q1")  # the last report, before this period
    sent = send_requests(demo, tmp_path / "out", AS_AT, "Q2")
    sk = request_of(sent, "SK")
    first, second = ids_in(sk)[:2]
    collect_returns(
        demo,
        [fill(sk, tmp_path / "r.xlsx", {first: {"new_commentary": "New this quarter."}})],
        AS_AT,
        apply=True,
    )
    chase = {o.owner: o for o in open_summary(demo, AS_AT, "Q2").chase}
    assert (
        first not in chase["SK"].commentary_unchanged and second in chase["SK"].commentary_unchanged
    )
    assert first not in chase["SK"].without_update and second in chase["SK"].without_update


def test_collect_refuses_a_file_that_is_not_a_request_and_an_open_tracker(demo, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["collect", str(demo), str(demo)])
    assert result.exit_code == 2 and "is not an update request" in result.output
    sent = send_requests(demo, tmp_path / "out", AS_AT, "Q2")
    sk = request_of(sent, "SK")
    returned = fill(sk, tmp_path / "r.xlsx", {ids_in(sk)[0]: {"new_status": "Complete"}})
    (demo.parent / f"~${demo.name}").write_text("")
    before = demo.read_bytes()
    result = runner.invoke(app, ["collect", str(demo), str(returned), "--apply"])
    assert (
        result.exit_code == 2 and "open in Excel" in result.output and demo.read_bytes() == before
    )


# --- review fixes: a damaged Requests sheet, sheet names, file names, addresses, --out, status aliases, --period ----


def damage_log(tracker: Path, cell: str, value: object) -> None:
    """Type over a cell of the tool's Requests sheet, as an officer might."""
    wb = openpyxl.load_workbook(tracker)
    wb["Requests"][cell] = value
    wb.save(tracker)


def test_a_damaged_requests_log_is_refused_before_anything_is_written(demo, tmp_path):
    send_requests(demo, tmp_path / "first", AS_AT, "Q2")
    damage_log(demo, "D5", "sometime in October")  # the On date of the first log row
    before = demo.read_bytes()
    with pytest.raises(UnusableInput, match=r"Requests!D5.*Nothing was changed\.$"):
        send_requests(demo, tmp_path / "out", AS_AT, "Q2")
    assert demo.read_bytes() == before and not (tmp_path / "out").exists()
    sk = request_of(
        send_requests(demo_with_emails(tmp_path / "clean.xlsx"), tmp_path / "r", AS_AT, "Q2"), "SK"
    )
    returned = fill(sk, tmp_path / "sk.xlsx", {ids_in(sk)[0]: {"new_status": "Complete"}})
    result = CliRunner().invoke(app, ["collect", str(demo), str(returned), "--apply"])
    assert result.exit_code == 2 and "Requests!D5" in result.output and demo.read_bytes() == before


def test_an_officers_own_requests_sheet_is_not_overwritten(demo, tmp_path):
    wb = openpyxl.load_workbook(demo)
    wb.create_sheet("Requests")["A1"] = "Requests for information from members"
    wb.save(demo)
    before = demo.read_bytes()
    result = CliRunner().invoke(
        app, ["requests", str(demo), "--out", str(tmp_path / "out"), "--as-of", "31/10/2016"]
    )
    assert (
        result.exit_code == 2
        and "Requests!A4" in result.output
        and "Nothing was changed." in result.output
    )
    assert demo.read_bytes() == before


def test_two_sheets_of_one_name_are_refused_in_a_return_and_in_the_tracker(demo, tmp_path):
    sk = request_of(send_requests(demo, tmp_path / "out", AS_AT, "Q2"), "SK")
    wb = openpyxl.load_workbook(sk)
    copy = wb.copy_worksheet(wb[REQUEST_SHEET])
    copy.title = "update request "
    copy["F5"] = "Complete"  # the copy says something else: reading either would be a guess
    wb.save(tmp_path / "two.xlsx")
    with pytest.raises(
        UnusableInput, match="2 sheets named 'Update request' and 'update request '"
    ):
        read_return(tmp_path / "two.xlsx")
    wb = openpyxl.load_workbook(demo)
    wb.copy_worksheet(wb["Requests"]).title = "requests "
    wb.save(demo)
    with pytest.raises(UnusableInput, match="2 sheets named 'Requests' and 'requests '"):
        open_summary(demo, AS_AT)


def test_a_return_whose_file_name_is_not_utf8_is_read(demo, tmp_path):
    sk = request_of(send_requests(demo, tmp_path / "out", AS_AT, "Q2"), "SK")
    first = ids_in(sk)[0]
    odd = tmp_path / os.fsdecode(b"r\xe9ponse.xlsx")  # Latin-1 bytes: not valid UTF-8
    fill(sk, odd, {first: {"new_status": "Complete"}})
    returned = read_return(odd)
    assert returned.owner == "SK" and returned.rows[0].values["new_status"] == "Complete"


def test_a_bad_address_in_leads_is_a_finding_not_a_crash(tmp_path):
    rows = demo_rows()
    bad = {
        "KN": "Kate Noble <kn@",
        "SK": "sk@council.example\nBcc: all@council.example",
        "DD": "not an address",
    }
    for lead in rows["Leads"]:
        lead["email"] = bad.get(lead["initials"], f"{lead['initials'].lower()}@council.example")
    tracker = new_tracker(tmp_path / "t.xlsx", rows)
    result = CliRunner().invoke(
        app, ["requests", str(tracker), "--out", str(tmp_path / "out"), "--as-of", "31/10/2016"]
    )
    assert result.exit_code == 0, result.output
    leads = {lead.initials: lead.row for lead in open_summary(tracker, AS_AT).plan.leads}
    sent = send_requests(tracker, tmp_path / "again", AS_AT, "Q2")
    assert {(f.where, f.code) for f in sent.requests.findings} == {
        (f"Leads!D{leads[k]}", "lead-email-invalid") for k in bad
    }
    assert all("is not an e-mail address" in f.message for f in sent.requests.findings)
    for w in sent.written:
        to = email.message_from_bytes(w.draft.read_bytes(), policy=policy.default)["To"]
        assert (
            to is None
            if w.request.lead.initials in bad
            else to == f"{w.request.lead.initials.lower()}@council.example"
        )


def test_a_draft_that_cannot_be_made_names_the_email_cell(demo, tmp_path):
    from dataclasses import replace

    from ofsted_tracker.workbook.store.request_files import draft

    request = next(
        r
        for r in plan_requests(open_summary(demo, AS_AT).plan, None, AS_AT).requests
        if r.lead.initials == "SK"
    )
    for address in ("Sam Knight <sk@", "sk@council.example\nBcc: all@council.example"):
        broken = replace(request, lead=replace(request.lead, email=address))
        with pytest.raises(UnusableInput, match=rf"^{request.email_cell}: "):
            draft(broken, b"x", "a.xlsx")
    assert request.email_cell == f"Leads!D{request.lead.row}"


def test_a_lead_whose_initials_cannot_make_a_draft_stops_the_run_before_any_file_is_written(
    tmp_path,
):
    rows = demo_rows()
    for lead in rows["Leads"]:
        lead["email"] = f"{lead['initials'].lower()}@council.example"
    last = next(
        lead for lead in reversed(rows["Leads"]) if lead["initials"] == "SSt"
    )  # the last lead asked
    last["initials"] = (
        "SSt\nX"  # a line break typed in the initials: every other request would be written first
    )
    for action in rows["Actions"]:
        action["owners"] = str(action.get("owners") or "").replace("SSt", "SSt\nX")
    tracker = new_tracker(tmp_path / "t.xlsx", rows)
    request = plan_requests(open_summary(tracker, AS_AT).plan, None, AS_AT).requests
    before = tracker.read_bytes()
    result = CliRunner().invoke(
        app, ["requests", str(tracker), "--out", str(tmp_path / "out"), "--as-of", "31/10/2016"]
    )
    cell = next((r.initials_cell for r in request if "\n" in r.lead.initials), None)
    assert result.exit_code == 2 and cell and f"{cell}: the e-mail draft" in result.output, (
        result.output
    )
    assert not [p for p in (tmp_path / "out").rglob("*") if p.is_file()]  # all the files or none
    assert tracker.read_bytes() == before  # and nothing logged


def test_an_email_cell_with_two_addresses_is_a_finding_and_the_draft_goes_to_no_one(demo, tmp_path):
    rows = demo_rows()
    for lead in rows["Leads"]:
        lead["email"] = f"{lead['initials'].lower()}@council.example"
    sk = next(lead for lead in rows["Leads"] if lead["initials"] == "SK")
    sk["email"] = "sk@council.example, someone.else@example.com"
    tracker = new_tracker(tmp_path / "two.xlsx", rows)
    sent = send_requests(tracker, tmp_path / "out", AS_AT, "Q2")
    [finding] = [f for f in sent.requests.findings if f.code == "lead-email-invalid"]
    assert "Type one address" in finding.message
    [mine] = [w for w in sent.written if w.request.lead.initials == "SK"]
    head = mine.draft.read_bytes().split(b"\r\n\r\n", 1)[0]
    assert (
        b"To:" not in head and b"someone.else" not in head
    )  # the draft goes to no one, never to both


def test_requests_out_a_file_is_refused_with_a_message(demo, tmp_path):
    (tmp_path / "out").write_text("not a folder")
    result = CliRunner().invoke(
        app, ["requests", str(demo), "--out", str(tmp_path / "out"), "--as-of", "31/10/2016"]
    )
    assert result.exit_code == 2 and "not a folder" in result.output


@pytest.mark.parametrize(
    "typed, word", [("Done", "Done"), ("completed", "Completed"), (" complete ", "Complete")]
)
def test_a_returned_status_reads_as_the_tracker_reads_it(demo, tmp_path, typed, word):
    """A returned status is one of the plan's words, written as the plan spells it (never translated)."""
    sk = request_of(send_requests(demo, tmp_path / "out", AS_AT, "Q2"), "SK")
    summary = open_summary(demo, AS_AT)
    plan = summary.plan
    first = next(
        i for i in ids_in(sk) if not next(a for a in plan.actions if a.action_id == i).is_complete
    )
    got = collect(
        plan,
        [read_return(fill(sk, tmp_path / "r.xlsx", {first: {"new_status": typed}}))],
        AS_AT,
        summary.chase_log,
    )
    assert not got.refusals
    assert [(u.action_id, u.new) for u in got.updates if u.field == "status"] == [(first, word)]


def test_collect_takes_period(tmp_path):
    rows = demo_rows()
    for lead in rows["Leads"]:
        lead["email"] = f"{lead['initials'].lower()}@council.example"
    rows["Settings"].append(
        {"key": "Reporting period", "value": "Q1", "What it is": "typed twice, differently"}
    )
    tracker = new_tracker(tmp_path / "t.xlsx", rows)
    sk = request_of(send_requests(tracker, tmp_path / "out", AS_AT, "Q2"), "SK")
    returned = fill(
        sk, tmp_path / "r.xlsx", {ids_in(sk)[0]: {"new_commentary": "Moved on this quarter."}}
    )
    runner = CliRunner()
    result = runner.invoke(app, ["collect", str(tracker), str(returned), "--apply"])
    assert result.exit_code == 2 and "give --period NAME" in result.output
    result = runner.invoke(
        app, ["collect", str(tracker), str(returned), "--apply", "--period", "Q2"]
    )
    assert result.exit_code == 0 and "Applied 2 changes" in result.output, result.output
    plan = open_summary(tracker, AS_AT, "Q2").plan
    assert (
        next(a for a in plan.actions if a.action_id == ids_in(sk)[0]).commentary
        == "Moved on this quarter."
    )


# --- a return is checked against the request the tracker sent (its id on the Requests log) ----------------------------


def _collected(tracker: Path, *returns: Path, trust_unlogged: bool = False):
    summary = open_summary(tracker, AS_AT)
    return collect(
        summary.plan, [read_return(r) for r in returns], AS_AT, summary.chase_log, trust_unlogged
    )


def test_a_return_made_from_another_tracker_is_refused_whole(demo, tmp_path):
    other = demo_with_emails(
        tmp_path / "other.xlsx"
    )  # the same plan, a tracker of its own: its own log
    sk = request_of(send_requests(other, tmp_path / "other-out", AS_AT, "Q2"), "SK")
    send_requests(demo, tmp_path / "out", AS_AT, "Q2")
    returned = fill(sk, tmp_path / "r.xlsx", {ids_in(sk)[0]: {"new_status": "Complete"}})
    got = _collected(demo, returned)
    assert [(r.code, r.where) for r in got.refusals] == [("return-not-sent", "[r.xlsx]About!B6")]
    assert not got.changes and "Nothing from this file is taken" in got.refusals[0].message
    assert _collected(other, returned).changes  # in the tracker it came from it is taken


def _settings_value(tracker: Path, key: str) -> object:
    ws = openpyxl.load_workbook(tracker)["Settings"]
    return next((row[1].value for row in ws.iter_rows() if row[0].value == key), None)


def test_the_first_request_gives_the_tracker_its_identity_and_every_request_names_it(
    demo, tmp_path
):
    assert not _settings_value(demo, "Tracker ID")
    first = send_requests(demo, tmp_path / "first", AS_AT, "Q2")
    identity = _settings_value(demo, "Tracker ID")
    assert isinstance(identity, str) and len(identity) == 32
    renamed = demo.rename(demo.with_name("renamed.xlsx"))  # not the file name: the same tracker
    again = send_requests(renamed, tmp_path / "again", AS_AT, "Q2")
    assert _settings_value(renamed, "Tracker ID") == identity
    for sent in (first, again):
        sk = request_of(sent, "SK")
        assert openpyxl.load_workbook(sk)["About"]["B7"].value == identity
    log = open_summary(renamed, AS_AT).chase_log
    assert log and {e.tracker for e in log} == {identity}


def test_a_return_naming_another_tracker_is_refused_whole(demo, tmp_path):
    sk = request_of(send_requests(demo, tmp_path / "out", AS_AT, "Q2"), "SK")
    returned = fill(sk, tmp_path / "r.xlsx", {ids_in(sk)[0]: {"new_status": "Complete"}})
    wb = openpyxl.load_workbook(returned)
    wb["About"]["B7"] = "0" * 32  # the tracker's identity retyped
    wb.save(returned)
    got = _collected(demo, returned)
    assert [(r.code, r.where) for r in got.refusals] == [
        ("return-other-tracker", "[r.xlsx]About!B7")
    ]
    assert not got.changes


def test_a_requests_log_copied_from_another_tracker_does_not_vouch_for_its_returns(demo, tmp_path):
    """Tracker B given A's Requests sheet (and so A's request ids) still refuses A's returns: the log's rows name
    A's identity, not B's."""
    other = demo_with_emails(tmp_path / "other.xlsx")
    sk = request_of(send_requests(other, tmp_path / "other-out", AS_AT, "Q2"), "SK")
    send_requests(demo, tmp_path / "out", AS_AT, "Q2")
    returned = fill(sk, tmp_path / "r.xlsx", {ids_in(sk)[0]: {"new_status": "Complete"}})
    source = openpyxl.load_workbook(other)["Requests"]
    target_book = openpyxl.load_workbook(demo)
    target = target_book["Requests"]
    for row in source.iter_rows():
        for cell in row:
            target.cell(cell.row, cell.column, cell.value)
    target_book.save(demo)
    got = _collected(demo, returned)
    assert [(r.code, r.where) for r in got.refusals] == [
        ("return-other-tracker", "[r.xlsx]About!B6")
    ]
    assert "written by another tracker" in got.refusals[0].message and not got.changes
    assert _collected(other, returned).changes


def test_a_return_whose_period_was_retyped_is_refused_whole(demo, tmp_path):
    sk = request_of(send_requests(demo, tmp_path / "out", AS_AT, "Q2"), "SK")
    returned = fill(sk, tmp_path / "r.xlsx", {ids_in(sk)[0]: {"new_status": "Complete"}})
    wb = openpyxl.load_workbook(returned)
    wb["About"]["B3"] = "Q3"  # passed off as next quarter's return
    wb.save(returned)
    got = _collected(demo, returned)
    assert [(r.code, r.where) for r in got.refusals] == [
        ("return-period-changed", "[r.xlsx]About!B3")
    ]
    assert not got.changes


def test_an_unlogged_return_is_taken_only_when_asked_and_the_preview_says_so(demo, tmp_path):
    sk = request_of(send_requests(demo, tmp_path / "out", AS_AT, "Q2"), "SK")
    returned = fill(
        sk, tmp_path / "old.xlsx", {ids_in(sk)[0]: {"new_commentary": "Made before request ids."}}
    )
    wb = openpyxl.load_workbook(returned)
    wb["About"]["B6"] = None  # as a request made by an earlier version of the tool
    wb.save(returned)
    before = demo.read_bytes()
    refused = CliRunner().invoke(app, ["collect", str(demo), str(returned), "--apply"])
    assert (
        refused.exit_code == 0
        and "return-unlogged" not in refused.output
        and "--trust-unlogged" in refused.output
    )
    assert demo.read_bytes() == before  # nothing written
    taken = CliRunner().invoke(
        app, ["collect", str(demo), str(returned), "--apply", "--trust-unlogged"]
    )
    assert (
        taken.exit_code == 0
        and "old.xlsx: taken without a logged request (--trust-unlogged)" in taken.output
    )
    first = next(a for a in open_summary(demo, AS_AT).plan.actions if a.action_id == ids_in(sk)[0])
    assert first.commentary == "Made before request ids."


def test_a_returned_commentary_longer_than_a_cell_is_refused_at_its_cell(demo, tmp_path):
    sk = request_of(send_requests(demo, tmp_path / "out", AS_AT, "Q2"), "SK")
    first = ids_in(sk)[0]
    typed = fill(
        sk, tmp_path / "typed.xlsx", {first: {"new_commentary": "x" * 32_767}}
    )  # openpyxl's most
    returned = tmp_path / "long.xlsx"
    with zipfile.ZipFile(typed) as source, zipfile.ZipFile(returned, "w") as target:
        for info in (
            source.infolist()
        ):  # as another program may write it: longer than a cell of Excel holds
            target.writestr(info, source.read(info).replace(b"x" * 32_767, b"x" * 40_000))
    got = _collected(demo, returned)
    assert [(r.code, r.where) for r in got.refusals] == [
        ("return-too-long", "[long.xlsx]Update request!H5")
    ]
    assert "40,000 characters" in got.refusals[0].message and not got.changes


def test_a_return_reaching_xfd1048576_is_refused_before_it_is_read(demo, tmp_path):
    """python-calamine would allocate the whole sheet as one block and abort the process (exit 134)."""
    sk = request_of(send_requests(demo, tmp_path / "out", AS_AT, "Q2"), "SK")
    far = tmp_path / "far.xlsx"
    with zipfile.ZipFile(sk) as source, zipfile.ZipFile(far, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"</sheetData>",
                    b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t>'
                    b"</is></c></row></sheetData>",
                )
            target.writestr(info, data)
    with pytest.raises(
        UnusableInput, match=r"far\.xlsx Update request!XFD1048576: the sheet reaches this cell"
    ):
        read_return(far)
    result = CliRunner().invoke(app, ["collect", str(demo), str(far)])
    assert (
        result.exit_code == 2 and "XFD1048576" in result.output and "Traceback" not in result.output
    )


def test_a_requests_log_from_before_request_ids_gets_the_new_column_in_its_table(demo, tmp_path):
    """A tracker whose Requests table has the six columns of an earlier version: its table gains Request ID and
    Note, so its range and its columns agree (a range wider than the columns is a table Excel offers to repair)."""
    import re

    from lxml import etree

    from ofsted_tracker.workbook.plan.schema import column_letter
    from ofsted_tracker.workbook.rules.chase import CHASE_SPEC

    send_requests(demo, tmp_path / "first", AS_AT, "Q2")
    old = tmp_path / "old.xlsx"
    last = column_letter(len(CHASE_SPEC.headers)).encode()
    with zipfile.ZipFile(demo) as source, zipfile.ZipFile(old, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/tables/") and b'name="Request ID"' in data:
                data = re.sub(
                    rb'<tableColumn id="(7|8|9)" name="(Request ID|Tracker ID|Note)"\s*/>',
                    b"",
                    data,
                )
                data = re.sub(rb'count="\d+"', b'count="6"', data).replace(b":" + last, b":F")
                assert b'name="Note"' not in data and b":F" in data
            target.writestr(info, data)
    send_requests(old, tmp_path / "again", AS_AT, "Q2")
    with zipfile.ZipFile(old) as package:
        [table] = [
            package.read(n)
            for n in package.namelist()
            if n.startswith("xl/tables/") and b'name="Request ID"' in package.read(n)
        ]
    root = etree.fromstring(table)
    names = [c.get("name") for c in root.iter("{*}tableColumn")]
    assert names == list(CHASE_SPEC.headers) and root.get("ref").split(":")[1].startswith(
        last.decode()
    )
    assert openpyxl.load_workbook(old)["Requests"].tables  # reads as a table again
