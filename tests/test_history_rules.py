"""Direction of travel, worked by hand: two and three quarters, a year end, actions added and removed, a retake."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ofsted_tracker.workbook.plan.model import Revision
from ofsted_tracker.workbook.rules.dashboard import derived_ratings
from ofsted_tracker.workbook.rules.history import (
    Snapshot,
    commentary_hash,
    direction_of_travel,
    history_grid,
    movements,
    previous,
    read_history,
    replace_period,
    take,
    trend,
    year_earlier,
)
from tests.builders import act, plan_of

Q2_AS_AT, Q3_AS_AT, Q4_AS_AT = date(2016, 10, 31), date(2017, 1, 31), date(2017, 4, 30)


def snap(plan, as_at: date, period: str) -> Snapshot:
    return take(plan, derived_ratings(plan, as_at), as_at, period)


def commented(action, text: str):
    return replace(action, commentary=text)


def by_category(changes) -> dict[str, list[tuple[str, str | None, str | None]]]:
    out: dict[str, list] = {}
    for c in changes:
        out.setdefault(c.category, []).append((c.action_id, c.before, c.after))
    return out


def quarter_two():
    return plan_of(
        commented(act("1.1", date(2016, 12, 31)), "Drafting"),  # A: will be completed
        commented(act("1.2", date(2016, 12, 31)), "Consulting"),  # A: deadline will move again
        commented(act("1.3", date(2017, 3, 31)), "Started"),  # A: will be put At risk
        commented(act("1.4", date(2016, 11, 30)), "Waiting"),  # A: deadline passes, nobody edits
        commented(act("1.5", date(2016, 11, 30)), "Waiting"),  # A: deadline passes, comment edited
        commented(act("1.6", date(2017, 3, 31)), "On plan"),  # A: untouched, still Amber
        commented(
            act("2.1", date(2016, 9, 30), "Complete", completed_on=date(2016, 9, 1)), "Done"
        ),  # G: removed
    )


def quarter_three():
    q2 = {a.action_id: a for a in quarter_two().actions}
    revision = Revision(
        "1.2", date(2016, 12, 31), date(2017, 6, 30), "Waiting for partners", "Board", row=2
    )
    return plan_of(
        replace(q2["1.1"], status="Complete", meaning="complete", completed_on=date(2016, 12, 20)),
        replace(q2["1.2"], current_deadline=date(2017, 6, 30)),
        replace(q2["1.3"], status="At risk", meaning="at risk"),
        q2["1.4"],
        commented(q2["1.5"], "Still waiting for the partners' reply"),
        q2["1.6"],
        commented(act("3.1", date(2017, 6, 30)), "New this quarter"),
        revisions=(revision,),
    )


def test_two_quarters_by_hand():
    changes = movements(snap(quarter_two(), Q2_AS_AT, "Q2"), snap(quarter_three(), Q3_AS_AT, "Q3"))
    assert by_category(changes) == {
        "completed": [("1.1", "On track", "Complete")],
        "turned_red": [("1.3", "A", "R")],  # an officer put it At risk
        "turned_red_deadline_passed": [
            ("1.4", "A", "R"),
            ("1.5", "A", "R"),
        ],  # time, not an edit (1.5's comment
        "deadline_moved_again": [
            ("1.2", "2016-12-31", "2017-06-30")
        ],  # changed, but not what the rule reads)
        "new_action": [("3.1", None, "A")],
        "action_removed": [("2.1", "G", None)],
        "commentary_not_updated": [
            ("1.2", commentary_hash("Consulting"), commentary_hash("Consulting")),
            ("1.3", commentary_hash("Started"), commentary_hash("Started")),
            ("1.4", commentary_hash("Waiting"), commentary_hash("Waiting")),
            ("1.6", commentary_hash("On plan"), commentary_hash("On plan")),
        ],
    }


def test_three_quarters_across_a_year_end_with_improved_and_worsened():
    q3 = quarter_three()
    q4_actions = {a.action_id: a for a in q3.actions}
    q4 = plan_of(
        *[a for i, a in q4_actions.items() if i not in ("1.3", "1.6")],
        replace(
            q4_actions["1.3"],
            status="On track",
            meaning="on track",
            current_deadline=date(2017, 6, 30),
        ),  # R -> A: improved
        replace(
            q4_actions["1.6"], original_deadline=None, original_raw="When ICS V12 is live"
        ),  # A -> not rated
        revisions=q3.revisions
        + (Revision("1.3", date(2017, 3, 31), date(2017, 6, 30), "Re-planned", "Board", row=3),),
    )
    history = (
        snap(quarter_two(), Q2_AS_AT, "Q2"),
        snap(q3, Q3_AS_AT, "Q3"),
        snap(q4, Q4_AS_AT, "Q4"),
    )
    # Q3 (Nov-Jan) spans the year end; its snapshot is the previous one for Q4 whatever the calendar year
    assert previous(history, "Q4", Q4_AS_AT) is history[1]
    assert previous(history, "Q3", Q3_AS_AT) is history[0]
    found = by_category(direction_of_travel(history, history[2]).changes)
    assert found["improved"] == [("1.3", "R", "A")]
    assert found["worsened"] == [("1.6", "A", "NR")]
    assert found["deadline_moved_again"] == [
        ("1.3", "2017-03-31", "2017-06-30"),
        ("1.6", "2017-03-31", None),
    ]
    assert "completed" not in found and "new_action" not in found
    # the counts of the trend, point by point
    assert [(s.period, s.counts.as_dict()) for s in trend(history, history[2])] == [
        ("Q2", {"total": 7, "B": 0, "G": 1, "A": 6, "R": 0, "C": 0, "not_rated": 0, "complete": 1}),
        ("Q3", {"total": 7, "B": 0, "G": 1, "A": 3, "R": 3, "C": 0, "not_rated": 0, "complete": 1}),
        ("Q4", {"total": 7, "B": 0, "G": 1, "A": 3, "R": 2, "C": 0, "not_rated": 1, "complete": 1}),
    ]


def test_year_on_year_finds_the_snapshot_a_year_earlier():
    plan = quarter_two()
    history = (
        snap(plan, date(2016, 1, 31), "Q4 2015/16"),
        snap(plan, Q2_AS_AT, "Q2"),
        snap(plan, Q3_AS_AT, "Q4"),
    )
    assert year_earlier(history, Q3_AS_AT) is history[0]
    assert year_earlier(history, Q2_AS_AT) is None  # nothing within a month of 31/10/2015
    travel = direction_of_travel(history, history[2])
    assert travel.previous is history[1] and travel.year_earlier is history[0]
    assert (
        year_earlier((snap(plan, date(2015, 2, 28), "Q"),), date(2016, 2, 29)) is not None
    )  # a leap day


def test_a_snapshot_retaken_replaces_its_period_and_says_which():
    first = snap(quarter_two(), Q2_AS_AT, "Q2")
    history, old = replace_period((), first)
    assert old is None and len(history) == 1
    again = snap(quarter_three(), date(2016, 11, 2), "q2")  # the same period, typed in another case
    before = history
    history, old = replace_period(history, again)
    assert old is before[0] and old.rows == first.rows
    assert [(s.period, s.as_at, len(s.rows)) for s in history] == [("q2", date(2016, 11, 2), 7)]


def test_the_history_grid_reads_back_as_written():
    plan = plan_of(act("3.10", date(2016, 12, 31)), act("3.1", date(2016, 6, 30), "Complete"))
    snapshots = (snap(plan, Q2_AS_AT, "Q2"), snap(plan, Q3_AS_AT, "Q3"))
    grid = history_grid(snapshots)
    letters = {
        c: chr(65 + i)
        for i, c in enumerate(
            [
                "period",
                "as_at",
                "action_id",
                "derived_rag",
                "recorded_rag",
                "status",
                "original_deadline",
                "deadline",
                "completed_on",
                "owners",
                "revisions",
                "commentary",
            ]
        )
    }
    fields = list(letters)
    rows = [
        (i, {f: v for f, v in zip(fields, row) if v not in ("", None)})
        for i, row in enumerate(grid[4:], start=5)
    ]
    back, findings = read_history(letters, rows)
    assert findings == []
    assert [[replace(r, row=0) for r in s.rows] for s in back] == [list(s.rows) for s in snapshots]
    assert [r.action_id for r in back[0].rows] == ["3.1", "3.10"]  # text, not 3.1 twice


def test_commentary_hash_ignores_spacing_only():
    assert commentary_hash("Met the\r\n partners ") == commentary_hash("Met the partners")
    assert commentary_hash("Met the partners") != commentary_hash("Met the partners.")
    assert len(commentary_hash("x")) == 8 and commentary_hash("  ") == ""


def test_completing_late_is_turned_red_after_a_change_never_worsened():
    from ofsted_tracker.workbook.rules.history import Snapshot, SnapshotRow, movements

    def row(rag, status, completed=None):
        return SnapshotRow(
            "1.1", rag, None, status, date(2016, 6, 30), date(2016, 6, 30), completed, "SK", 0, ""
        )

    before = Snapshot("Q1", date(2016, 6, 1), (row("A", "On track"),))
    after = Snapshot("Q2", date(2016, 10, 31), (row("R", "Complete", date(2016, 8, 1)),))
    found = {c.category for c in movements(before, after)}
    assert {"completed", "turned_red"} <= found
    assert "worsened" not in found and "turned_red_deadline_passed" not in found


def test_complete_on_history_follows_the_councils_own_words():
    from ofsted_tracker.workbook.rules.summary import summarise

    words = {"Words for complete": "Signed off"}

    def council(plan):
        return replace(plan, settings=words)

    q2 = council(quarter_two())
    q3 = council(
        plan_of(
            *(
                replace(a, status="Signed off", meaning="complete", completed_on=date(2016, 12, 20))
                if a.action_id == "1.1"
                else a
                for a in quarter_three().actions
            ),
            revisions=quarter_three().revisions,
        )
    )
    history = (snap(q2, Q2_AS_AT, "Q2"),)
    after = snap(q3, Q3_AS_AT, "Q3")
    assert after.counts.complete == 1  # "Signed off", the council's word for complete
    assert ("1.1", "On track", "Signed off") in by_category(movements(history[0], after))[
        "completed"
    ]
    # a snapshot read back from the sheet (the default words) means what the plan's words say once summarised
    s = summarise(q3, Q3_AS_AT, None, (), (replace(after, words=Snapshot.words),))
    assert s.history[0].counts.complete == 1
    assert replace(after, words=Snapshot.words).counts.complete == 0  # by the default words alone
