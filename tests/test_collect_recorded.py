"""Recorded RAG after collect (issue 23, item 7): the preview says where the officers' Recorded RAG will differ from
the rule once a return is written, and ``collect --apply --set-recorded`` sets it to the rule's letter, logged."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ofsted_tracker.cli import app
from ofsted_tracker.workbook.jobs import open_summary, send_requests
from ofsted_tracker.workbook.plan import schema
from ofsted_tracker.workbook.plan.schemes import SCHEME_KEY
from ofsted_tracker.workbook.rules.chase import (
    READ_ONLY,
    RECEIVED,
    RECORDED_SET,
    Returned,
    ReturnRow,
    chase_grid,
    collect,
    deadline_shown,
    edits_for,
    preview_dict,
    read_chase,
    received_entries,
)
from ofsted_tracker.workbook.rules.dashboard import derived_ratings, disagreements
from tests.builders import act, plan_of
from tests.test_chase import AS_AT, demo_with_emails, fill, ids_in

# --- the pure rule ------------------------------------------------------------------------------------------------


def _plan(scheme: str = "RAG"):
    """Four actions of SK's: 1.1 Amber on track (the return completes it), 1.2 already overdue (not in the return),
    1.3 Amber on track (the return gives only commentary), 1.4 with no Recorded RAG (the return completes it)."""
    plan = plan_of(
        act("1.1", date(2016, 12, 31), recorded="A", row=2),
        act("1.2", date(2016, 9, 30), recorded="A", row=3),
        act("1.3", date(2016, 12, 31), recorded="A", row=4),
        act("1.4", date(2016, 12, 31), row=5),
    )
    letters = {c.field: schema.column_letter(i) for i, c in enumerate(schema.ACTIONS.columns, 1)}
    return replace(plan, settings={SCHEME_KEY: scheme}, columns={schema.ACTIONS.name: letters})


def _returned(plan, rows: dict[str, dict[str, object]]) -> Returned:
    """SK's return, the grey columns as the tracker sent them, the white ones as given (by request field)."""
    actions = {a.action_id: a for a in plan.actions}
    out = []
    for i, (action_id, given) in enumerate(rows.items(), 5):
        a = actions[action_id]
        grey = {c.field: getattr(a, c.field, None) for c in READ_ONLY}
        grey["deadline"] = deadline_shown(a)
        out.append(ReturnRow(i, {**grey, **given}))
    return Returned("SK return.xlsx", "SK", "Q2", tuple(out))


DONE = {"new_status": "Complete", "completed_on": date(2016, 10, 20)}


def _collected(plan):
    returned = _returned(plan, {"1.1": DONE, "1.3": {"new_commentary": "Going well."}, "1.4": DONE})
    return collect(plan, [returned], AS_AT, trust_unlogged=True)


def test_the_recorded_rag_is_judged_by_the_rule_after_the_return():
    plan = _plan()
    before = {d.action_id for d in disagreements(plan, derived_ratings(plan, AS_AT))}
    assert before == {"1.2"}  # 1.1 agrees with the rule before the return: Amber, not yet due
    collected = _collected(plan)
    assert not collected.refusals and collected.changes
    [recorded] = (
        collected.recorded
    )  # 1.2 is not in the return, 1.3 still agrees, 1.4 has none typed
    assert (recorded.action_id, recorded.recorded, recorded.rule, recorded.file) == (
        "1.1",
        "A",
        "G",
        "SK return.xlsx",
    )
    assert recorded.said == "1.1: recorded Amber, the rule gives Green after this return"
    assert collected.settable == collected.recorded
    data = preview_dict(collected, AS_AT, applied=False)
    assert data["recorded_rag"] == [
        {
            "action": "1.1",
            "recorded": "A",
            "rule": "G",
            "said": "1.1: recorded Amber, the rule gives Green after this return",
            "file": "SK return.xlsx",
            "set": False,
        }
    ]
    assert preview_dict(collected, AS_AT, True, set_recorded=True)["recorded_rag"][0]["set"] is True


def test_the_disagreement_is_in_the_trackers_rating_scheme():
    collected = _collected(_plan("RAG + Completed"))
    # in RAG + Completed complete is its own bucket (C), and on track before the deadline is Green: 1.3, which
    # agrees with the rule in RAG, differs here
    assert [(r.action_id, r.recorded, r.rule) for r in collected.recorded] == [
        ("1.1", "A", "C"),
        ("1.3", "A", "G"),
    ]
    assert collected.recorded[0].said == (
        "1.1: recorded Amber, the rule gives Completed after this return"
    )


def test_an_action_the_rule_cannot_rate_is_listed_but_never_set():
    plan = _plan()
    plan = replace(
        plan,
        actions=(
            replace(plan.actions[0], original_deadline=None, original_raw="Date?"),
            *plan.actions[1:],
        ),
    )
    returned = _returned(plan, {"1.1": {"new_commentary": "Waiting on the date."}})
    collected = collect(plan, [returned], AS_AT, trust_unlogged=True)
    [recorded] = collected.recorded
    assert recorded.rule is None and collected.settable == ()
    assert recorded.said.startswith(
        "1.1: recorded Amber, the rule cannot rate it after this return"
    )
    assert (2, 7) not in edits_for(plan, collected, set_recorded=True)[schema.ACTIONS.name]


def test_set_recorded_writes_the_rules_letter_and_logs_it_and_nothing_without_it():
    plan = _plan()
    collected = _collected(plan)
    column = schema.column_number(plan.columns[schema.ACTIONS.name]["recorded_rag"])
    without = edits_for(plan, collected)[schema.ACTIONS.name]
    assert all(c != column for _, c in without)  # Recorded RAG is never written without the flag
    with_it = edits_for(plan, collected, set_recorded=True)[schema.ACTIONS.name]
    assert {k: v for k, v in with_it.items() if k not in without} == {(2, column): "G"}
    assert [e.event for e in received_entries(collected, AS_AT)] == [RECEIVED]
    entries = received_entries(collected, AS_AT, set_recorded=True)
    assert [(e.event, e.owner, e.period, e.file, e.actions, e.note) for e in entries[1:]] == [
        (
            RECORDED_SET,
            "SK",
            "Q2",
            "SK return.xlsx",
            ("1.1",),
            "Amber to Green: set to the rule's rating after this return",
        )
    ]
    # the log reads back as written, with no finding (the Requests sheet holds the new event and its note)
    grid = chase_grid(entries)
    header = grid[3]
    letters = {c.field: schema.column_letter(header.index(c.header) + 1) for c in _chase_columns()}
    rows = [
        (i, {c.field: row[header.index(c.header)] for c in _chase_columns()})
        for i, row in enumerate(grid[4:], 5)
    ]
    read, findings = read_chase(letters, rows)
    assert findings == [] and read == entries


def _chase_columns():
    from ofsted_tracker.workbook.rules.chase import CHASE_SPEC

    return CHASE_SPEC.columns


# --- the command line --------------------------------------------------------------------------------------------


@pytest.fixture()
def returned(tmp_path: Path) -> tuple[Path, Path, str]:
    """The demo with its requests sent, and SK's return completing their first action (5.2, recorded Amber)."""
    tracker = demo_with_emails(tmp_path / "tracker.xlsx")
    sent = send_requests(tracker, tmp_path / "requests", AS_AT, "Q2")
    sk = next(w.workbook for w in sent.written if w.request.lead.initials == "SK")
    first = ids_in(sk)[0]
    back = fill(
        sk,
        tmp_path / "returned.xlsx",
        {first: {"new_status": "Complete", "completed_on": date(2016, 10, 20)}},
    )
    return tracker, back, first


def _recorded(tracker: Path, action_id: str) -> str | None:
    return next(
        a for a in open_summary(tracker).plan.actions if a.action_id == action_id
    ).recorded_rag


def _actions_cells(tracker: Path) -> dict[str, object]:
    ws = openpyxl.load_workbook(tracker)[schema.ACTIONS.name]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row}


def test_the_preview_lists_the_recorded_rag_the_return_puts_at_odds_with_the_rule(returned):
    tracker, back, first = returned
    assert _recorded(tracker, first) == "A"
    runner = CliRunner()
    before = tracker.read_bytes()
    result = runner.invoke(app, ["collect", str(tracker), str(back), "--as-of", "31/10/2016"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index(
        "Recorded RAG after this return (the officers' rating differs from the rule's):"
    )
    assert lines[at + 1] == f"  {first}: recorded Amber, the rule gives Green after this return"
    assert lines[-1] == (
        "Preview only: nothing was written. Run again with --apply to write it (add --set-recorded to set "
        "the Recorded RAG of 1 action to the rule's rating)."
    )
    result = runner.invoke(
        app, ["collect", str(tracker), str(back), "--as-of", "31/10/2016", "--json"]
    )
    assert json.loads(result.output)["recorded_rag"] == [
        {
            "action": first,
            "recorded": "A",
            "rule": "G",
            "said": f"{first}: recorded Amber, the rule gives Green after this return",
            "file": "returned.xlsx",
            "set": False,
        }
    ]
    assert tracker.read_bytes() == before  # a preview writes nothing


def test_set_recorded_without_apply_is_refused_in_one_line(returned):
    tracker, back, _ = returned
    before = tracker.read_bytes()
    result = CliRunner().invoke(app, ["collect", str(tracker), str(back), "--set-recorded"])
    assert result.exit_code == 2
    assert result.output == (
        "ofsted-tracker: --set-recorded sets the Recorded RAG as the returns are written: give it with "
        "--apply. Nothing was changed.\n"
    )
    assert tracker.read_bytes() == before


def test_apply_without_the_flag_leaves_recorded_rag_as_typed(returned):
    tracker, back, first = returned
    result = CliRunner().invoke(
        app, ["collect", str(tracker), str(back), "--apply", "--as-of", "31/10/2016"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "Recorded RAG left as typed for 1 action: change it on Actions if the rule's rating is right."
    )
    s = open_summary(tracker)
    assert _recorded(tracker, first) == "A"
    assert first in {d.action_id for d in s.disagreements}  # the Dashboard still lists it
    assert RECORDED_SET not in {e.event for e in s.chase_log}


def test_apply_set_recorded_writes_the_rules_letter_logged_keeping_the_rest(returned):
    tracker, back, first = returned
    cells, backups = _actions_cells(tracker), tracker.parent / "backups"
    validations = len(
        openpyxl.load_workbook(tracker)[schema.ACTIONS.name].data_validations.dataValidation
    )
    assert validations  # the Actions sheet's drop-downs and date checks, to be kept
    result = CliRunner().invoke(
        app,
        ["collect", str(tracker), str(back), "--apply", "--set-recorded", "--as-of", "31/10/2016"],
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        f"Set the Recorded RAG of 1 action to the rule's rating ({first}), logged on the Requests sheet."
    )
    s = open_summary(tracker)
    assert _recorded(tracker, first) == "G"
    assert first not in {d.action_id for d in s.disagreements}
    [logged] = [e for e in s.chase_log if e.event == RECORDED_SET]
    assert (logged.owner, logged.on, logged.file, logged.actions, logged.note) == (
        "SK",
        AS_AT,
        "returned.xlsx",
        (first,),
        "Amber to Green: set to the rule's rating after this return",
    )
    # only the cells of that action's row that the return (and the rule) named changed; validation kept
    row = next(a.row for a in s.plan.actions if a.action_id == first)
    letters = s.plan.columns[schema.ACTIONS.name]
    named = {
        f"{letters[f]}{row}" for f in ("status", "completed_on", "last_updated", "recorded_rag")
    }
    after = _actions_cells(tracker)
    assert {k for k in after if after[k] != cells.get(k)} == named
    assert after[f"{letters['recorded_rag']}{row}"] == "G"
    ws = openpyxl.load_workbook(tracker)[schema.ACTIONS.name]
    assert len(ws.data_validations.dataValidation) == validations
    assert any(backups.glob("*.xlsx"))  # written through the one atomic path, with its backup
    # the same return again: nothing to change, nothing more set or logged
    again = CliRunner().invoke(
        app,
        ["collect", str(tracker), str(back), "--apply", "--set-recorded", "--as-of", "31/10/2016"],
    )
    assert again.exit_code == 0 and "Nothing to change" in again.output
    assert [e.event for e in open_summary(tracker).chase_log].count(RECORDED_SET) == 1


def test_apply_set_recorded_json_says_what_was_set(returned):
    tracker, back, first = returned
    result = CliRunner().invoke(
        app,
        [
            "collect",
            str(tracker),
            str(back),
            "--apply",
            "--set-recorded",
            "--as-of",
            "31/10/2016",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["applied"] is True
    assert [(r["action"], r["rule"], r["set"]) for r in data["recorded_rag"]] == [
        (first, "G", True)
    ]
