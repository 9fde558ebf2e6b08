"""Request updates and Collect updates on the ribbon, through xlwings' remote engine, against the command line."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from ofsted_tracker.addin import excel, macros, updates
from ofsted_tracker.workbook.jobs import collect_returns, open_summary, send_requests, snapshot
from ofsted_tracker.workbook.plan import schema
from ofsted_tracker.workbook.rules import layout
from ofsted_tracker.workbook.rules.chase import CHASE_SHEET, RECEIVED, RECORDED_SET, SENT
from tests.addin.harness import apply, grid_as_shown, open_book
from tests.test_chase import AS_AT, demo_with_emails, fill, ids_in

WRITES = (
    "setValues",
    "sheetClearContents",
    "addSheet",
    "resizeTable",
    "setFontProperty",
    "setAutofit",
)


def _run(path: Path, work, out: Path, **kwargs):
    """Run a macro on the workbook as xlwings Server sees it; the message, the actions, the workbook after them."""
    book = open_book(path)
    try:
        message = work(book, **kwargs)
        actions = book.json()["actions"]
    finally:
        book.close()
    return message, actions, apply(actions, path, out)


@pytest.fixture()
def tracker(tmp_path: Path) -> Path:
    return demo_with_emails(tmp_path / "plan.xlsx")


@pytest.fixture()
def desktop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The workbook is a file in this folder (as in desktop Excel)."""
    folder = tmp_path / "desk"
    folder.mkdir()
    monkeypatch.setattr(excel, "local_folder", lambda book: folder)
    return folder


def _requested(tracker: Path, desktop: Path, tmp_path: Path):
    message, actions, after = _run(tracker, updates.request_updates, tmp_path / "requested.xlsx")
    [folder] = [p for p in desktop.iterdir() if p.is_dir()]
    return message, actions, after, folder


def _sk_return(folder: Path, out: Path) -> tuple[Path, str, str]:
    """SK's request filled in: the first action Complete with a date and commentary, a new deadline for the second."""
    sk = next(b for b in folder.glob("*.xlsx") if b.stem.endswith("(SK)"))
    first, second = ids_in(sk)[:2]
    return (
        fill(
            sk,
            out,
            {
                first: {
                    "new_status": "Complete",
                    "completed_on": date(2016, 10, 20),
                    "new_commentary": "Signed off.",
                },
                second: {"proposed_deadline": date(2017, 3, 31), "reason": "Awaiting the review"},
            },
        ),
        first,
        second,
    )


def _collected(before: Path, returned: Path, out: Path, answers: list[bool], **kwargs):
    """Collect updates of one return with ``answers`` to its questions, in turn: the questions asked, the message,
    the actions and the book after them."""
    asked: list[str] = []
    message, actions, book = _run(
        before,
        updates.collect_updates,
        out,
        files=[returned],
        confirm=lambda text: asked.append(text) or answers[len(asked) - 1],
        **kwargs,
    )
    return asked, message, actions, book


def _on_the_ribbon(tracker: Path, desktop: Path, tmp_path: Path, answers: list[bool], **kwargs):
    """Requests sent, SK's return filled in, then Collect updates with ``answers`` to its questions, in turn: the
    questions asked, the message, the actions, the book after them, the return, SK's two actions, the book before."""
    _, _, before, folder = _requested(tracker, desktop, tmp_path)
    returned, first, second = _sk_return(folder, tmp_path / "returned.xlsx")
    asked, message, actions, book = _collected(
        before.path, returned, tmp_path / "ribbon.xlsx", answers, **kwargs
    )
    return SimpleNamespace(
        asked=asked,
        message=message,
        actions=actions,
        book=book.path,
        returned=returned,
        first=first,
        second=second,
        before=before.path,
    )


# --- Request updates ---------------------------------------------------------------------------------------------


def test_request_updates_writes_what_the_command_line_writes_and_logs_it(
    tracker: Path, desktop: Path, tmp_path: Path
) -> None:
    message, actions, after, folder = _requested(tracker, desktop, tmp_path)
    assert folder.name == "plan update requests Q2"
    cli_copy = shutil.copy2(tracker, tmp_path / "cli.xlsx")
    sent = send_requests(cli_copy, tmp_path / "cli-out", AS_AT, "Q2")
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        p.name for p in (tmp_path / "cli-out").iterdir()
    )
    for w in sent.written:  # each owner's workbook holds the same actions
        assert ids_in(folder / w.workbook.name) == ids_in(w.workbook)
    ribbon_log, cli_log = open_summary(after.path).chase_log, open_summary(cli_copy).chase_log
    assert [replace(e, request="", tracker="") for e in ribbon_log] == [
        replace(e, request="", tracker="") for e in cli_log
    ]
    for path, log in (
        (after.path, ribbon_log),
        (cli_copy, cli_log),
    ):  # each tracker its own identity
        assert {e.tracker for e in log} == {open_summary(path).plan.setting("Tracker ID")}
    assert all(len(e.request) == 16 for e in ribbon_log + cli_log)  # each request its own random id
    assert len({e.request for e in ribbon_log + cli_log}) == len(ribbon_log + cli_log)
    assert {e.event for e in open_summary(after.path).chase_log} == {SENT}
    assert message.startswith(f"{len(sent.written)} update requests written into {folder}")
    assert "'RR' (4.2)" in message  # an owner not in Leads is named with their actions
    sheets = load_workbook(tracker).sheetnames
    assert (
        [a["func"] for a in actions]
        == [
            "setValues",  # Settings: the Tracker ID row's key and value, the first time requests are sent
            "setValues",
            "addSheet",
            "setValues",
            "setPrintArea",
            "setFontProperty",
            "setAutofit",
            "alert",
        ]
    )
    assert load_workbook(after.path).sheetnames == sheets + [CHASE_SHEET]
    for spec in (
        schema.OFFICER_SHEETS
    ):  # nothing officers typed is written; Settings gains its Tracker ID row
        before, now = grid_as_shown(tracker, spec.name), grid_as_shown(after.path, spec.name)
        if spec.name == schema.SETTINGS.name:
            added = [row for row in now if row and row[0] == "Tracker ID"]
            assert len(added) == 1 and len(str(added[0][1])) == 32
            now = [row for row in now if row not in added]
            before = [row for row in before if not row or row[0] != "Tracker ID"]
        assert [r for r in now if any(r)] == [r for r in before if any(r)], spec.name


def test_a_second_request_round_adds_to_the_log_on_the_sheet_already_there(
    tracker: Path, desktop: Path, tmp_path: Path
) -> None:
    _, _, after, folder = _requested(tracker, desktop, tmp_path)
    shutil.rmtree(folder)
    later = after.path
    wb = load_workbook(later)
    for row in wb["Settings"].iter_rows(min_row=2):
        if row[0].value == "As at date":
            row[1].value = date(2016, 11, 7)  # a week on: the chase
    wb.save(later)
    _, actions, again = _run(later, updates.request_updates, tmp_path / "again.xlsx")
    assert "addSheet" not in [a["func"] for a in actions]
    log = open_summary(again.path).chase_log
    assert [e.on for e in log].count(AS_AT) == [e.on for e in log].count(date(2016, 11, 7)) > 0


def test_the_command_line_reads_and_extends_the_log_the_ribbon_wrote(
    tracker: Path, desktop: Path, tmp_path: Path
) -> None:
    _, _, after, _ = _requested(tracker, desktop, tmp_path)
    sent = send_requests(after.path, tmp_path / "cli-out", date(2016, 11, 7), "Q2")
    log = open_summary(after.path).chase_log
    assert len(log) == 2 * len(sent.written)


def test_in_a_browser_request_updates_points_to_the_task_pane(
    tracker: Path, tmp_path: Path
) -> None:
    message, actions, _ = _run(tracker, updates.request_updates, tmp_path / "after.xlsx")
    assert [a["func"] for a in actions] == ["alert"] and actions[0]["args"][3] == "critical"
    assert "task pane" in message and "zip" in message


def test_an_officers_own_requests_sheet_is_refused_not_written(
    tracker: Path, desktop: Path, tmp_path: Path
) -> None:
    wb = load_workbook(tracker)
    wb.create_sheet(CHASE_SHEET)["A1"] = "Requests for information from members"
    wb.save(tracker)
    message, actions, _ = _run(tracker, updates.request_updates, tmp_path / "after.xlsx")
    assert [a["func"] for a in actions] == ["alert"]
    assert "Requests!A4" in message and "Nothing was changed." in message
    assert not list(desktop.iterdir())


# --- Collect updates -----------------------------------------------------------------------------------------------


def test_collect_updates_asks_before_writing_and_writes_nothing_on_no(
    tracker: Path, desktop: Path, tmp_path: Path
) -> None:
    run = _on_the_ribbon(tracker, desktop, tmp_path, [False])
    first, second = run.first, run.second
    assert [a["func"] for a in run.actions] == ["alert"] and run.message == "Nothing was written."
    [question] = run.asked
    assert question.startswith("1 return: 4 changes and 1 proposed deadline.")
    assert (
        f"{first}  Progress status: 'On track' -> 'Complete'" in question
        and "20/10/2016" in question
    )
    assert f"{second}  new deadline proposed:" in question and "31/03/2017" in question
    assert question.endswith("Nothing is saved until you save the workbook.")


def test_under_xlwings_server_a_message_box_never_says_yes(
    tracker: Path, desktop: Path, tmp_path: Path
) -> None:
    """The remote engine cannot wait for a Yes: without ``confirm`` nothing is written (the task pane confirms)."""
    _, _, after, folder = _requested(tracker, desktop, tmp_path)
    returned, _, _ = _sk_return(folder, tmp_path / "returned.xlsx")
    message, actions, _ = _run(
        after.path, updates.collect_updates, tmp_path / "no.xlsx", files=[returned]
    )
    assert not [a for a in actions if a["func"] in WRITES] and message == "Nothing was written."


def test_collect_updates_writes_exactly_what_collect_apply_writes(
    tracker: Path, desktop: Path, tmp_path: Path
) -> None:
    _, _, after, folder = _requested(tracker, desktop, tmp_path)
    returned, first, second = _sk_return(folder, tmp_path / "returned.xlsx")
    message, actions, excel_way = _run(
        after.path,
        updates.collect_updates,
        tmp_path / "yes.xlsx",
        files=[returned],
        confirm=lambda text: True,
    )
    assert message.startswith("Wrote 4 changes and 1 proposed deadline (Revisions, not yet agreed)")
    cli_way = shutil.copy2(after.path, tmp_path / "cli.xlsx")
    collect_returns(cli_way, [returned], apply=True)
    ours, theirs = open_summary(excel_way.path), open_summary(cli_way)
    assert ours.plan.actions == theirs.plan.actions and ours.plan.revisions == theirs.plan.revisions
    assert ours.chase_log == theirs.chase_log and ours.chase_log[-1].event == RECEIVED
    action = next(a for a in ours.plan.actions if a.action_id == first)
    assert (action.status, action.completed_on, action.commentary) == (
        "Complete",
        date(2016, 10, 20),
        "Signed off.",
    )
    revision = ours.plan.revisions[-1]
    assert (revision.action_id, revision.new_deadline, revision.agreed_by) == (
        second,
        date(2017, 3, 31),
        "",
    )
    assert next(a for a in ours.plan.actions if a.action_id == second).deadline != date(2017, 3, 31)
    assert (
        "Revisions",
        "Revisions",
        f"A1:F{revision.row}",
    ) in excel_way.resized  # the table takes the new row
    # only the cells named: every other value of the officers' sheets is as it was
    changed = {(schema.ACTIONS.name, a.row) for a in ours.plan.actions if a.action_id == first}
    changed.add((schema.REVISIONS.name, revision.row))
    for spec in schema.OFFICER_SHEETS:
        before, now = grid_as_shown(after.path, spec.name), grid_as_shown(excel_way.path, spec.name)
        for r, row in enumerate(now, 1):
            if (spec.name, r) not in changed:
                assert row == (before[r - 1] if r <= len(before) else [None] * len(row)), (
                    spec.name,
                    r,
                )
    cell_writes = [
        a
        for a in actions
        if a["func"] == "setValues" and a["row_count"] == 1 and a["column_count"] == 1
    ]
    assert (
        len(cell_writes) == 4 + 4
    )  # status, completed on, commentary, last updated; a Revisions row of four


def test_the_same_return_twice_changes_nothing_the_second_time(
    tracker: Path, desktop: Path, tmp_path: Path
) -> None:
    _, _, after, folder = _requested(tracker, desktop, tmp_path)
    returned, _, _ = _sk_return(folder, tmp_path / "returned.xlsx")
    _, _, once = _run(
        after.path,
        updates.collect_updates,
        tmp_path / "once.xlsx",
        files=[returned],
        confirm=lambda text: True,
    )
    message, actions, _ = _run(
        once.path,
        updates.collect_updates,
        tmp_path / "twice.xlsx",
        files=[returned],
        confirm=lambda text: pytest.fail("nothing to ask"),
    )
    assert [a["func"] for a in actions] == ["alert"]
    assert message.startswith("Nothing to change: the workbook already holds every value")


def test_refused_values_are_shown_with_their_file_and_cell(
    tracker: Path, desktop: Path, tmp_path: Path
) -> None:
    _, _, after, folder = _requested(tracker, desktop, tmp_path)
    sk = next(b for b in folder.glob("*.xlsx") if b.stem.endswith("(SK)"))
    first, second = ids_in(sk)[:2]
    returned = fill(
        sk,
        tmp_path / "returned.xlsx",
        {first: {"completed_on": date(2016, 12, 25)}, second: {"new_status": "Finished-ish"}},
    )
    message, actions, _ = _run(
        after.path,
        updates.collect_updates,
        tmp_path / "after.xlsx",
        files=[returned],
        confirm=lambda text: pytest.fail("nothing to ask"),
    )
    assert not [a for a in actions if a["func"] in WRITES]
    assert "Nothing to change" in message
    assert (
        "refused [returned.xlsx]Update request!G5" in message
        and "refused [returned.xlsx]Update request!F6" in message
    )


def test_a_long_preview_is_cut_to_a_message_box_and_says_how_many_more(
    tracker: Path, desktop: Path, tmp_path: Path
) -> None:
    _, _, after, folder = _requested(tracker, desktop, tmp_path)
    big = max(folder.glob("*.xlsx"), key=lambda b: len(ids_in(b)))
    ids = ids_in(big)
    returned = fill(
        big,
        tmp_path / "returned.xlsx",
        {i: {"new_commentary": f"Update on {i}. " * 40} for i in ids},
    )
    asked: list[str] = []
    _run(
        after.path,
        updates.collect_updates,
        tmp_path / "after.xlsx",
        files=[returned],
        confirm=lambda text: asked.append(text) or False,
    )
    lines = 2 * len(ids)  # commentary and last updated, each action
    assert f"… and {lines - updates.MAX_PREVIEW_LINES} more." in asked[0]
    preview = asked[0].split("\n\n")[1].splitlines()
    assert len(preview) == updates.MAX_PREVIEW_LINES + 1 and len(asked[0]) < 2000
    assert all(
        f"-> 'Update on {line.split()[0]}. Update on" in line and "…'" in line
        for line in preview
        if "commentary" in line
    )


def test_a_file_that_is_not_a_request_is_named(
    tracker: Path, desktop: Path, tmp_path: Path
) -> None:
    message, actions, _ = _run(
        tracker,
        updates.collect_updates,
        tmp_path / "after.xlsx",
        files=[tracker],
        confirm=lambda text: True,
    )
    assert [a["func"] for a in actions] == ["alert"]
    assert "plan.xlsx is not an update request" in message


def test_collect_updates_then_refreshes_the_dashboards_when_asked(
    tracker: Path, desktop: Path, tmp_path: Path
) -> None:
    _, _, after, folder = _requested(tracker, desktop, tmp_path)
    returned, _, _ = _sk_return(folder, tmp_path / "returned.xlsx")
    message, actions, applied = _run(
        after.path,
        updates.collect_updates,
        tmp_path / "yes.xlsx",
        files=[returned],
        confirm=lambda text: True,
        refresh_after=True,
    )
    assert "Dashboards refreshed as at 31/10/2016" in message
    written = [
        load_workbook(after.path).sheetnames[a["sheet_position"]]
        for a in actions
        if a["func"] in WRITES
    ]
    assert (
        written.index(schema.DASHBOARD)
        > written.index(CHASE_SHEET)
        > written.index(schema.ACTIONS.name)
    )


def _as_the_command_line(run: SimpleNamespace, tmp_path: Path, **kwargs):
    """The ribbon's book and the command line's, the same return collected into each (``kwargs``: collect's)."""
    cli_way = shutil.copy2(run.before, tmp_path / "cli.xlsx")
    collect_returns(cli_way, [run.returned], apply=True, **kwargs)
    ours, theirs = open_summary(run.book), open_summary(cli_way)
    assert ours.plan.actions == theirs.plan.actions and ours.chase_log == theirs.chase_log
    return ours


def _recorded_of(s, action_id: str) -> str | None:
    return next(a for a in s.plan.actions if a.action_id == action_id).recorded_rag


def test_collect_updates_asks_a_second_question_and_sets_recorded_rag_as_the_command_line_does(
    tracker: Path, desktop: Path, tmp_path: Path
) -> None:
    """The ribbon (``set_recorded=None``): after Yes to the changes, whether to set the Recorded RAGs the return puts
    at odds with the rule; Yes writes what ``collect --apply --set-recorded`` writes, in the one write."""
    run = _on_the_ribbon(tracker, desktop, tmp_path, [True, True], set_recorded=None)
    changes, recorded = run.asked
    assert changes.startswith("1 return: 4 changes and 1 proposed deadline.")
    assert f"{run.first}: recorded Amber, the rule gives Green after this return" in recorded
    assert "Also set the Recorded RAG to the rule's rating for 1 action?" in recorded
    assert (
        f"Set the Recorded RAG of 1 action to the rule's rating ({run.first}), logged"
        in run.message
    )
    ours = _as_the_command_line(run, tmp_path, set_recorded=True)
    assert _recorded_of(ours, run.first) == "G"
    assert [e.event for e in ours.chase_log][-2:] == [RECEIVED, RECORDED_SET]
    cell_writes = [
        a
        for a in run.actions
        if a["func"] == "setValues" and a["row_count"] == 1 and a["column_count"] == 1
    ]
    assert (
        len(cell_writes) == 4 + 1 + 4
    )  # the return's four, the Recorded RAG, a Revisions row of four


def test_no_to_the_second_question_leaves_recorded_rag_as_typed(
    tracker: Path, desktop: Path, tmp_path: Path
) -> None:
    run = _on_the_ribbon(tracker, desktop, tmp_path, [True, False], set_recorded=None)
    assert len(run.asked) == 2
    assert run.message.startswith("Wrote 4 changes") and "Recorded RAG" not in run.message
    ours = _as_the_command_line(run, tmp_path)
    assert _recorded_of(ours, run.first) == "A"
    assert RECORDED_SET not in {e.event for e in ours.chase_log}


def test_without_the_flag_the_macro_asks_once_and_never_writes_recorded_rag(
    tracker: Path, desktop: Path, tmp_path: Path
) -> None:
    run = _on_the_ribbon(tracker, desktop, tmp_path, [True])
    assert len(run.asked) == 1
    assert _recorded_of(open_summary(run.book), run.first) == "A"


# --- asking for the files ----------------------------------------------------------------------------------------


def test_without_an_open_dialog_collect_updates_says_where_to_collect(
    tracker: Path, tmp_path: Path
) -> None:
    message, actions, _ = _run(tracker, updates.collect_updates, tmp_path / "after.xlsx")
    assert [a["func"] for a in actions] == ["alert"] and message == updates.NO_DIALOG


@pytest.mark.parametrize(
    "answer, expected",
    [
        (
            ("C:\\Returns\\a.xlsx", "C:\\Returns\\b.xlsx"),
            [Path("C:\\Returns\\a.xlsx"), Path("C:\\Returns\\b.xlsx")],
        ),
        (False, []),
    ],
)
def test_excels_open_dialog_answers_become_files(
    answer, expected, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = []

    def dialog(**kwargs):
        asked.append(kwargs)
        return answer

    book = SimpleNamespace(app=SimpleNamespace(api=SimpleNamespace(GetOpenFilename=dialog)))
    monkeypatch.setattr("sys.platform", "win32")
    assert excel.ask_for_files(book, "Collect updates") == expected
    assert asked == [
        {
            "FileFilter": "Excel workbooks (*.xlsx),*.xlsx",
            "Title": "Collect updates",
            "MultiSelect": True,
        }
    ]


def test_no_com_dialog_means_no_files_rather_than_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.platform", "win32")
    assert (
        excel.ask_for_files(SimpleNamespace(app=SimpleNamespace(api=None)), "Collect updates")
        is None
    )


# --- the other buttons read the tool's sheets as the command line does ---------------------------------------------


def test_refresh_shows_the_chase_list_and_the_trend_as_the_command_line_does(
    tracker: Path, tmp_path: Path
) -> None:
    send_requests(tracker, tmp_path / "out", AS_AT, "Q2")
    snapshot(tracker, date(2016, 7, 31), "Q1")
    cli = open_summary(tracker)
    assert cli.chase_log and cli.history
    _, _, after = _run(tracker, macros.refresh, tmp_path / "after.xlsx")
    dashboard = layout.computed_grids(cli)[schema.DASHBOARD]
    shown = grid_as_shown(after.path, schema.DASHBOARD)

    def cells(grid):
        return {
            (r, c): v
            for r, row in enumerate(grid)
            for c, v in enumerate(row)
            if v not in (None, "")
        }

    assert cells(shown) == cells(dashboard)
    assert any(layout.CHASE_HEADERS[0] == v for row in shown for v in row)


def test_the_ribbon_collect_button_asks_for_files_and_refreshes(
    monkeypatch: pytest.MonkeyPatch, tracker: Path
) -> None:
    from ofsted_tracker.addin import ribbon_collect

    calls = []
    monkeypatch.setattr(ribbon_collect, "caller_book", lambda: "the book")
    monkeypatch.setattr(
        ribbon_collect, "collect_updates", lambda book, **kw: calls.append((book, kw))
    )
    ribbon_collect.main()
    assert calls == [
        ("the book", {"refresh_after": True, "set_recorded": None})
    ]  # None: it asks whether to set Recorded RAG


# --- the review's cases: other tables, a header below row 1, a totals row, hidden refusals, a failure mid-way -----


def _both_ways(tracker: Path, desktop: Path, tmp_path: Path, change) -> tuple:
    """Requests, an officer's change to the tracker, SK's return; then the ribbon's write and collect --apply's."""
    wb = load_workbook(tracker)
    change(wb)
    wb.save(tracker)
    _, _, after, folder = _requested(tracker, desktop, tmp_path)
    returned, first, second = _sk_return(folder, tmp_path / "returned.xlsx")
    message, actions, ribbon = _run(
        after.path,
        updates.collect_updates,
        tmp_path / "ribbon.xlsx",
        files=[returned],
        confirm=lambda text: True,
    )
    cli = shutil.copy2(after.path, tmp_path / "cli.xlsx")
    return message, ribbon, cli, returned, second


def test_a_table_of_the_officers_elsewhere_on_the_sheet_is_left_as_it_is(
    tracker: Path, desktop: Path, tmp_path: Path
) -> None:
    from openpyxl.worksheet.table import Table

    def legend(wb) -> None:
        ws = wb[schema.ACTIONS.name]
        ws["AA1"], ws["AB1"], ws["AA2"], ws["AB2"] = "Code", "Meaning", "B", "Blue"
        ws.add_table(Table(displayName="Legend", ref="AA1:AB2"))

    _, ribbon, cli, returned, _ = _both_ways(tracker, desktop, tmp_path, legend)
    collect_returns(cli, [returned], apply=True)
    for path in (ribbon.path, cli):
        assert load_workbook(path)[schema.ACTIONS.name].tables["Legend"].ref == "AA1:AB2", path.name
    assert [r[0] for r in ribbon.resized] == [schema.REVISIONS.name]


def test_a_proposal_goes_below_the_revisions_header_however_low_it_is(
    tracker: Path, desktop: Path, tmp_path: Path
) -> None:
    def titled(wb) -> None:  # a title in A1, the header in row 3, no revisions yet
        ws = wb[schema.REVISIONS.name]
        for name in list(ws.tables):
            del ws.tables[name]
        header = [c.value for c in ws[1]]
        for row in ws.iter_rows():
            for cell in row:
                cell.value = None
        ws["A1"] = "Deadline revisions agreed by the board"
        for j, text in enumerate(header, 1):
            ws.cell(3, j, text)

    message, ribbon, cli, returned, second = _both_ways(tracker, desktop, tmp_path, titled)
    collect_returns(cli, [returned], apply=True)
    for path in (ribbon.path, cli):
        [revision] = open_summary(path).plan.revisions
        assert (revision.action_id, revision.row) == (second, 4), path.name
    assert "1 proposed deadline" in message


def test_a_revisions_table_with_a_totals_row_is_refused_before_anything_is_written(
    tracker: Path, desktop: Path, tmp_path: Path
) -> None:
    def totals(wb) -> None:
        ws = wb[schema.REVISIONS.name]
        table = ws.tables["Revisions"]
        end = int(table.ref.split(":")[1][1:]) + 1
        ws.cell(end, 1, "Total")
        table.ref, table.totalsRowCount = f"A1:F{end}", 1
        if table.autoFilter is not None:
            table.autoFilter.ref = f"A1:F{end - 1}"

    message, ribbon, cli, returned, _ = _both_ways(tracker, desktop, tmp_path, totals)
    assert "has a totals row" in message and "Nothing was changed." in message
    for spec in schema.OFFICER_SHEETS:
        assert grid_as_shown(ribbon.path, spec.name) == grid_as_shown(cli, spec.name), spec.name
    before = cli.read_bytes()
    with pytest.raises(Exception, match="has a totals row"):
        collect_returns(cli, [returned], apply=True)
    assert cli.read_bytes() == before


def test_refusals_come_first_in_the_question_however_many_changes(
    tracker: Path, desktop: Path, tmp_path: Path
) -> None:
    _, _, after, folder = _requested(tracker, desktop, tmp_path)
    big = max(folder.glob("*.xlsx"), key=lambda b: len(ids_in(b)))
    ids = ids_in(big)
    rows = {i: {"new_commentary": f"Update on {i}."} for i in ids[1:]}
    rows[ids[0]] = {"new_status": "Finished-ish"}
    returned = fill(big, tmp_path / "returned.xlsx", rows)
    asked, message, _, _ = _collected(after.path, returned, tmp_path / "after.xlsx", [True])
    preview = asked[0].split("\n\n")[1].splitlines()
    assert preview[0].startswith("refused [returned.xlsx]Update request!F5")
    assert "1 value refused and not written (the preview listed them first)" in message


def test_a_failure_part_way_says_cells_may_be_written_and_how_to_undo(
    tracker: Path, desktop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, after, folder = _requested(tracker, desktop, tmp_path)
    returned, _, _ = _sk_return(folder, tmp_path / "returned.xlsx")
    written = []

    def flaky(value):
        written.append(value)
        if len(written) == 3:
            raise RuntimeError("the RPC server is unavailable")
        return value

    monkeypatch.setattr(excel, "as_entered", flaky)
    message, actions, _ = _run(
        after.path,
        updates.collect_updates,
        tmp_path / "after.xlsx",
        files=[returned],
        confirm=lambda text: True,
    )
    assert (
        "some cells may be written and others not" in message
        and "Close the workbook without saving" in message
    )
    assert "Nothing you typed was changed" not in message and actions[-1]["args"][3] == "critical"


def test_with_no_one_in_leads_to_ask_the_owners_typed_are_named(
    tmp_path: Path, desktop: Path
) -> None:
    from ofsted_tracker.workbook.demo import demo_rows
    from ofsted_tracker.workbook.jobs import new_tracker

    rows = demo_rows()
    rows["Leads"] = []
    tracker = new_tracker(tmp_path / "no-leads.xlsx", rows)
    message, actions, _ = _run(tracker, updates.request_updates, tmp_path / "after.xlsx")
    assert (
        message.startswith(updates.NOTHING_TO_ASK)
        and "No request for owners not in Leads: " in message
    )
    assert "'SK' (" in message and [a["func"] for a in actions] == ["alert"]


def test_an_empty_return_is_named_and_the_owner_asked_again(
    tracker: Path, desktop: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "SK return.xlsx"
    empty.write_bytes(b"")
    message, _, _ = _run(
        tracker,
        updates.collect_updates,
        tmp_path / "after.xlsx",
        files=[empty],
        confirm=lambda text: True,
    )
    assert (
        message
        == "SK return.xlsx is empty (0 bytes): it did not arrive whole. Ask the owner to send it again."
    )
