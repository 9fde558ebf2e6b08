"""Snapshots in the workbook: the done-when scenario on the demo, a damaged History sheet, officers' parts kept."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from ofsted_tracker.workbook.jobs import open_summary, refresh, snapshot
from ofsted_tracker.workbook.rules.history import HISTORY_SPEC
from ofsted_tracker.workbook.store.package import NS, sheet_parts
from tests.test_cli import run

FIXTURES = Path(__file__).parent / "fixtures"


def officers_edit_q3(path: Path) -> None:
    """Three officers' edits between Q2 and Q3 (openpyxl rewrites the file: fine for a test fixture)."""
    wb = openpyxl.load_workbook(path)
    actions, revisions = wb["Actions"], wb["Revisions"]
    rows = {actions.cell(r, 1).value: r for r in range(2, actions.max_row + 1)}
    actions.cell(rows["1.3"], 7).value = "Complete"  # 1.3 completed
    actions.cell(rows["1.3"], 8).value = date(2017, 1, 15)
    actions.cell(rows["2.6"], 6).value = date(2017, 3, 31)  # 2.6's deadline revised again
    revisions.append(
        [
            "2.6",
            date(2017, 1, 31),
            date(2017, 3, 31),
            "Partners' data late",
            "Board",
            date(2017, 1, 10),
        ]
    )
    actions.cell(rows["5.2"], 7).value = "At risk"  # 5.2 now at risk
    wb.save(path)


def test_done_when_two_snapshots_and_the_changes_between_them(demo_tracker):
    first = run("snapshot", demo_tracker, "--period", "Q2", "--as-of", "31/10/2016")
    assert first.exit_code == 0, first.output
    assert (
        "Recorded the Q2 snapshot as at 31/10/2016" in first.output
        and "replaces" not in first.output
    )
    officers_edit_q3(demo_tracker)
    second = run("snapshot", demo_tracker, "--period", "Q3", "--as-of", "31/01/2017")
    assert second.exit_code == 0, second.output
    data = json.loads(
        run("summary", demo_tracker, "--period", "Q3", "--as-of", "31/01/2017", "--json").output
    )
    assert [(h["period"], h["as_at"], h["counts"]["total"]) for h in data["history"]] == [
        ("Q2", "2016-10-31", 61),
        ("Q3", "2017-01-31", 61),
    ]
    assert data["history"][0]["counts"] == {
        "total": 61,
        "B": 0,
        "G": 37,
        "A": 10,
        "R": 13,
        "C": 0,
        "not_rated": 1,
        "complete": 37,
    }
    assert data["history"][1]["counts"] == {
        "total": 61,
        "B": 0,
        "G": 38,
        "A": 6,
        "R": 16,
        "C": 0,
        "not_rated": 1,
        "complete": 38,
    }
    changes = data["changes"]
    assert changes["since"] == {"period": "Q2", "as_at": "2016-10-31", "recorded": True}
    assert changes["to"] == {"period": "Q3", "as_at": "2017-01-31", "recorded": True}
    assert changes["completed"] == [{"action": "1.3", "from": "On track", "to": "Complete"}]
    assert changes["deadline_moved_again"] == [
        {"action": "2.6", "from": "2017-01-31", "to": "2017-03-31"}
    ]
    assert changes["turned_red"] == [{"action": "5.2", "from": "A", "to": "R"}]
    # 5.1 and 5.5 (extended to 30/11/2016) turned Red because that date passed: nobody changed them
    assert changes["turned_red_deadline_passed"] == [
        {"action": "5.1", "from": "A", "to": "R"},
        {"action": "5.5", "from": "A", "to": "R"},
    ]
    assert (
        changes["new_action"]
        == changes["action_removed"]
        == changes["improved"]
        == changes["worsened"]
        == []
    )
    chased = {c["action"] for c in changes["commentary_not_updated"]}
    assert {"2.6", "5.2", "5.1"} <= chased and "1.3" not in chased
    assert data["year_on_year"] is None
    # the published Q2 figures are unchanged by all this
    q2 = json.loads(
        run("summary", demo_tracker, "--period", "Q2", "--as-of", "31/10/2016", "--json").output
    )
    assert (
        q2["period"]["due"]["count"],
        q2["period"]["completed_by_deadline"]["count"],
        q2["period"]["not_completed_by_deadline"]["count"],
    ) == (17, 14, 3)


def test_a_retaken_snapshot_replaces_its_period_and_says_so(demo_tracker):
    run("snapshot", demo_tracker)
    again = run("snapshot", demo_tracker, "--as-of", "02/11/2016")
    assert again.exit_code == 0
    assert (
        "replaces the Q2 snapshot as at 31/10/2016 (61 rows)" in again.output
        and "backups" in again.output
    )
    s = open_summary(demo_tracker)
    assert [(h.period, h.as_at) for h in s.history] == [("Q2", date(2016, 11, 2))]
    backups = sorted((demo_tracker.parent / "backups").iterdir())
    assert [(h.period, h.as_at) for h in open_summary(backups[-1]).history] == [
        ("Q2", date(2016, 10, 31))
    ]


def test_the_history_sheet_is_a_grey_protected_table_that_grows(demo_tracker):
    snapshot(demo_tracker)
    snapshot(demo_tracker, date(2017, 1, 31), "Q3")
    wb = openpyxl.load_workbook(demo_tracker)
    ws = wb["History"]
    assert wb.sheetnames[-1] == "History" and ws.sheet_properties.tabColor.rgb == "FF808080"
    table = ws.tables["History"]
    assert table.ref == "A4:N126"  # header row 4, 2 x 61 rows
    assert [ws.cell(4, j).value for j in range(1, 15)] == list(HISTORY_SPEC.headers)
    assert [c.name for c in table.tableColumns] == list(HISTORY_SPEC.headers)
    assert any(
        dv.type == "custom" and dv.formula1 == "FALSE" for dv in ws.data_validations.dataValidation
    )
    assert ws["C5"].value == "1.1" and ws["B5"].value == "2016-10-31"


def test_a_history_sheet_typed_over_gives_findings_with_cells(demo_tracker):
    snapshot(demo_tracker)
    wb = openpyxl.load_workbook(demo_tracker)
    ws = wb["History"]
    ws["B6"] = "last Tuesday"  # a date that is not one
    ws["C7"] = 3.1  # an action id retyped as a number
    ws["D8"] = "Purple"  # not a RAG
    ws["K9"] = "two"  # not a count
    ws["A10"] = None  # a blank period
    wb.save(demo_tracker)
    result = run("validate", demo_tracker, "--json")
    found = {
        f["where"]: f["message"]
        for f in json.loads(result.output)["findings"]
        if f["sheet"] == "History"
    }
    assert set(found) == {"History!B6", "History!C7", "History!D8", "History!K9", "History!A10"}
    assert "last Tuesday" in found["History!B6"] and "backups" in found["History!B6"]
    assert result.exit_code == 1
    assert run("refresh", demo_tracker).exit_code == 0  # the dashboards still refresh
    refused = run("snapshot", demo_tracker)
    assert (
        refused.exit_code == 2
        and "History!B6" in refused.output
        and "Nothing was changed" in refused.output
    )


def test_a_history_header_typed_over_gives_one_finding(demo_tracker):
    snapshot(demo_tracker)
    wb = openpyxl.load_workbook(demo_tracker)
    wb["History"]["A4"] = "Quarter"
    wb["History"]["C4"] = "Ref"
    wb.save(demo_tracker)
    s = open_summary(demo_tracker)
    assert s.history == ()
    assert [(f.where, f.code) for f in s.findings if f.sheet == "History"] == [
        ("History!A4", "history-header")
    ]
    assert json.loads(run("summary", demo_tracker, "--json").output)["history"] == []


NAMES = ["officer-additions.xlsx", "officer-additions-libreoffice.xlsx", "officer-macros.xlsm"]


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {info.filename: package.read(info) for info in package.infolist()}


@pytest.mark.parametrize("name", NAMES)
def test_officers_additions_survive_snapshot_and_refresh(tmp_path, name):
    copy = tmp_path / name
    shutil.copyfile(FIXTURES / name, copy)
    before = parts(copy)
    with zipfile.ZipFile(copy) as package:
        sheets = sheet_parts(package)
    assert "History" not in sheets  # made before the History sheet existed: the snapshot adds it
    snapshot(copy, date(2016, 11, 30), "Q2")
    after = parts(copy)
    owned = {sheets[n] for n in ("Dashboard", "Slippage", "Checks")} | {
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml",
    }
    for part, data in before.items():
        if part not in owned:
            assert after[part] == data, part
    added = set(after) - set(before)
    assert len(added) == 3 and {p.split("/")[1] for p in added} == {"worksheets", "tables"}
    workbook = etree.fromstring(after["xl/workbook.xml"])
    assert [s.get("name") for s in workbook.iter(f"{{{NS}}}sheet")][-1] == "History"
    # a refresh copies the History sheet and its table byte for byte
    refresh(copy, as_at=date(2016, 12, 31))
    again = parts(copy)
    for part in added:
        assert again[part] == after[part], part
    wb = openpyxl.load_workbook(copy)
    assert (
        wb["History"].tables["History"].ref == f"A4:N{4 + len(open_summary(copy).history[0].rows)}"
    )
    assert wb["Actions"]["J5"].comment.text.startswith("Chased by email")
    assert "officer_commentary" in wb.defined_names


def test_no_job_imports_pandas_not_even_for_direction_of_travel_only_frames_does(demo_tracker):
    snapshot(demo_tracker)
    snapshot(demo_tracker, date(2017, 1, 31), "Q3")
    code = (
        "import sys, json; from ofsted_tracker.workbook.jobs import open_summary, refresh; p = sys.argv[1]; "
        "s = open_summary(p); refresh(p); print('pandas' in sys.modules, end=' '); "
        "d = open_summary(p, period='Q3', as_at=__import__('datetime').date(2017, 1, 31)).as_dict(); "
        "print(d['changes'] is not None, 'pandas' in sys.modules, end=' '); "
        "import ofsted_tracker; ofsted_tracker.frames(p); print('pandas' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(demo_tracker)], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "True", "False", "True"]


def test_frames_gives_analysts_dataframes_with_ids_as_text(demo_tracker):
    import ofsted_tracker

    snapshot(demo_tracker)
    f = ofsted_tracker.frames(demo_tracker)
    ids = [a.action_id for a in open_summary(demo_tracker).plan.actions]
    assert (
        f.actions["action_id"].tolist() == ids and f.history["action_id"].tolist() == ids
    )  # text, as typed
    assert f.actions.set_index("action_id").loc["5.1", "derived_rag"] == "A"
    assert (
        set(f.history["period"]) == {"Q2"}
        and str(f.history["as_at"].iloc[0].date()) == "2016-10-31"
    )
    assert (
        list(f.trend["period"]) == ["Q2"]
        and f.trend.iloc[0]["total"] == 61
        and bool(f.trend.iloc[0]["recorded"])
    )
    assert (f.findings["severity"] == "error").sum() == open_summary(demo_tracker).errors


def test_the_report_context_lists_what_changed_since_the_last_report(demo_tracker, tmp_path):
    from ofsted_tracker.report_builder.context import FIRST_REPORT, report_context

    first = report_context(open_summary(demo_tracker))
    assert first["has_history"] is False and first["history_text"] == FIRST_REPORT
    assert [r["period"] for r in first["trend"]] == ["Q2"] and first["since_last"][
        "completed"
    ] == []
    report = run(
        "report", demo_tracker, "-o", tmp_path / "q2.docx"
    )  # the report records its snapshot
    assert report.exit_code == 0 and "Recorded the Q2 snapshot as at 31/10/2016" in report.output
    officers_edit_q3(demo_tracker)
    context = report_context(open_summary(demo_tracker, date(2017, 1, 31), "Q3"))
    assert context["has_history"] is True
    assert (
        context["history_text"]
        == "The figures are compared with the last report's, for Q2 as at 31 October 2016."
    )
    since = context["since_last"]
    assert [r["ref"] for r in since["completed"]] == ["1.3"]
    assert [r["ref"] for r in since["turned_red"]] == ["5.2"]
    assert [r["ref"] for r in since["turned_red_deadline_passed"]] == ["5.1", "5.5"]
    assert [(r["ref"], r["note"]) for r in since["deadline_moved_again"]] == [
        ("2.6", "moved again from 31 January 2017 to 31 March 2017")
    ]
    assert [
        (r["period"], r["as_at"], r["completed"], r["not_completed"]) for r in context["trend"]
    ] == [("Q2", "31/10/16", 37, 13), ("Q3", "31/01/17", 38, 16)]


@pytest.mark.parametrize(
    "as_of, says",
    [
        (
            "31/10/2046",
            "is outside the period Q2",
        ),  # decades on: it would replace Q2's real snapshot
        ("31/10/1986", "is outside the period Q2"),  # decades before
        ("30/04/2016", "is outside the period Q2"),  # the day before Q2 starts
    ],
)
def test_a_snapshot_far_from_its_period_is_refused_and_force_records_it(demo_tracker, as_of, says):
    run("snapshot", demo_tracker)
    before = demo_tracker.read_bytes()
    refused = run("snapshot", demo_tracker, "--as-of", as_of)
    assert refused.exit_code == 2 and says in refused.output and "--force" in refused.output
    assert demo_tracker.read_bytes() == before
    forced = run("snapshot", demo_tracker, "--as-of", as_of, "--force")
    assert forced.exit_code == 0 and "Taken with --force" in forced.output and says in forced.output
    # logged beside the snapshot on History, in its rows' checks, and said by the trend and the JSON
    from ofsted_tracker.workbook.jobs import open_summary

    s = open_summary(demo_tracker, None, "Q2")
    [q2] = [h for h in s.history if h.period == "Q2"]
    assert says in q2.forced and not q2.edited
    assert not [f for f in s.findings if f.code == "history-edited"]
    history = json.loads(run("summary", demo_tracker, "--period", "Q2", "--json").output)["history"]
    assert says in next(h for h in history if h["period"] == "Q2")["forced"]
    dashboard = openpyxl.load_workbook(demo_tracker)["Dashboard"]
    assert any("(taken with --force)" in str(c.value) for row in dashboard.iter_rows() for c in row)
    # the reason is in the Check: blanking it shows the snapshot as edited
    wb = openpyxl.load_workbook(demo_tracker)
    ws = wb["History"]
    column = next(c.column for c in ws[4] if c.value == "Taken with --force")
    row = (
        next(c.row for c in ws["A"] if c.value == "Q2") + 3
    )  # a row inside the Q2 snapshot, not its first
    assert ws.cell(row, column).value
    ws.cell(row, column).value = None
    wb.save(demo_tracker)
    s = open_summary(demo_tracker, None, "Q2")
    assert [h for h in s.history if h.period == "Q2"][0].edited


def test_a_snapshot_taken_without_force_has_a_blank_force_column_and_the_old_checks(demo_tracker):
    """A History sheet written before the column keeps matching its checks: a snapshot without --force digests as
    it always did."""
    from ofsted_tracker.workbook.jobs import open_summary
    from ofsted_tracker.workbook.rules.history import row_check

    run("snapshot", demo_tracker)
    s = open_summary(demo_tracker, None, "Q2")
    [q2] = [h for h in s.history if h.period == "Q2"]
    assert q2.forced == "" and not q2.edited
    import hashlib

    first = q2.rows[0]
    old_text = "\x1f".join(
        str(v)
        for v in (
            f"1/{len(q2.rows)}",
            q2.period,
            q2.as_at.isoformat(),
            first.action_id,
            first.derived_rag or "",
            first.recorded_rag or "",
            first.status,
            first.original_deadline.isoformat() if first.original_deadline else "",
            first.deadline.isoformat() if first.deadline else "",
            first.completed_on.isoformat() if first.completed_on else "",
            first.owners,
            first.revisions,
            first.commentary,
        )
    )
    assert (
        row_check(q2, 0, first)
        == f"1/{len(q2.rows)} {hashlib.sha256(old_text.encode()).hexdigest()[:12]}"
    )


def test_a_snapshot_after_today_is_refused(demo_tracker):
    from ofsted_tracker.workbook.errors import UnusableInput
    from ofsted_tracker.workbook.jobs import open_summary, record_snapshot

    s = open_summary(demo_tracker, date(2016, 10, 31), "Q2")
    with pytest.raises(UnusableInput, match=r"after today \(30/10/2016\)"):
        record_snapshot(demo_tracker, s, today=date(2016, 10, 30))
    assert record_snapshot(demo_tracker, s, today=date(2016, 10, 31)).snapshot.as_at == date(
        2016, 10, 31
    )


def test_two_periods_read_alike_stop_the_snapshot(tmp_path):
    from ofsted_tracker.workbook.demo import demo_rows
    from ofsted_tracker.workbook.errors import UnusableInput
    from ofsted_tracker.workbook.jobs import new_tracker
    from ofsted_tracker.workbook.jobs import snapshot as take

    rows = demo_rows()
    rows["Periods"].append({**rows["Periods"][1], "name": "q2"})  # Q2 and q2 both on Periods
    tracker = new_tracker(tmp_path / "twice.xlsx", rows)
    with pytest.raises(
        UnusableInput, match=r"'Q2' is on the Periods sheet 2 times \(row 3 and row 6"
    ):
        take(tracker, date(2016, 10, 31), "Q2")


@pytest.mark.parametrize("sheet", ["History", "Requests"])
def test_a_hidden_copy_of_a_log_sheet_is_refused_naming_both(demo_tracker, tmp_path, sheet):
    import openpyxl

    from ofsted_tracker.workbook.jobs import send_requests

    snapshot(demo_tracker)
    send_requests(demo_tracker, tmp_path / "out", date(2016, 10, 31), "Q2")
    wb = openpyxl.load_workbook(demo_tracker)
    copy = wb.copy_worksheet(wb[sheet])
    copy.title, copy.sheet_state = (
        sheet.lower() + " ",
        "hidden",
    )  # typed over in the copy, which would be read
    wb.save(demo_tracker)
    refused = run("validate", demo_tracker)
    assert refused.exit_code == 2 and f"'{sheet}' and '{sheet.lower()} '" in refused.output


def _edited(demo_tracker, edit) -> tuple[dict, object]:
    """Take the last quarter's snapshot, make one silent edit to its History rows with openpyxl, then read it back as
    this quarter's summary (whose trend shows the last quarter)."""
    import openpyxl

    snapshot(demo_tracker, date(2016, 7, 31), "Q1")
    wb = openpyxl.load_workbook(demo_tracker)
    edit(wb["History"])
    wb.save(demo_tracker)
    result = run("validate", demo_tracker, "--json")
    found = {
        f["where"]: f
        for f in json.loads(result.output)["findings"]
        if f["code"] == "history-edited"
    }
    return found, open_summary(demo_tracker)


def _blank_row(ws, row: int) -> None:
    for column in range(1, len(HISTORY_SPEC.columns) + 1):
        ws.cell(row, column).value = None


@pytest.mark.parametrize(
    "edit, where",
    [
        (
            lambda ws: ws.cell(9, 4).__setattr__(
                "value", "G" if ws.cell(9, 4).value != "G" else "R"
            ),
            "History!C9",
        ),
        (
            lambda ws: _blank_row(ws, 7),
            "History!C8",
        ),  # a row blanked: the next row no longer matches its place
        (lambda ws: _blank_row(ws, 65), "History!C64"),  # the last row blanked: 60 of 61 rows left
        (
            lambda ws: [
                ws.cell(66, c).__setattr__("value", v)
                for c, v in enumerate(["Q1", "2016-07-31", "99.1", "G", "", "Complete"], start=1)
            ],
            "History!C66",
        ),  # a row added
    ],
)
def test_a_history_edited_silently_is_a_finding_and_the_trend_says_so(demo_tracker, edit, where):
    found, s = _edited(demo_tracker, edit)
    assert list(found) == [where], found
    assert found[where]["severity"] == "error" and "edited" in found[where]["message"]
    assert s.history[0].edited
    from ofsted_tracker.workbook.rules import layout

    assert any("(edited)" in str(row[1]) for row in layout.trend_rows(s)[1:])


def test_an_untouched_history_matches_its_checks(demo_tracker):
    snapshot(demo_tracker)
    snapshot(demo_tracker, date(2017, 1, 31), "Q3")
    s = open_summary(demo_tracker)
    assert not any(f.code == "history-edited" for f in s.findings)
    assert s.history and not any(h.edited for h in s.history)
