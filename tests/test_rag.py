"""The RAG rule on hand-worked cases, boundaries included."""

from datetime import date

import pytest

from ofsted_tracker.workbook.rules.rag import completed_by, derived_rag
from tests.builders import act

AS_AT = date(2016, 10, 31)


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (act(original=date(2016, 11, 30), status="On track"), "A"),
        (
            act(original=AS_AT, status="On track"),
            "A",
        ),  # a deadline equal to the as-at date has not passed
        (act(original=date(2016, 10, 30), status="On track"), "R"),  # passed the day before
        (
            act(original=date(2016, 11, 30), status="At risk"),
            "R",
        ),  # unlikely to be completed by deadline
        (act(original=date(2016, 11, 30), status="Not started"), "A"),
        (
            act(original=date(2016, 6, 30), status="Complete", completed_on=date(2016, 6, 30)),
            "G",
        ),  # on the day
        (
            act(original=date(2016, 6, 30), status="Complete", completed_on=date(2016, 7, 1)),
            "R",
        ),  # a day late
        (
            act(original=date(2016, 6, 30), status="Complete"),
            "G",
        ),  # no completion date: counted on time
        (act(original=None, status="On track"), None),  # no usable deadline: not rated
        (act(original=None, status="Complete"), "G"),
        # the current deadline overrides the original
        (act(original=date(2016, 9, 30), current=date(2017, 1, 31), status="On track"), "A"),
        (
            act(
                original=date(2016, 9, 30),
                current=date(2017, 1, 31),
                status="Complete",
                completed_on=date(2016, 12, 1),
            ),
            "G",
        ),
        (act(original=date(2016, 2, 29), status="On track"), "R"),  # 29 February
    ],
)
def test_derived_rag(action, expected):
    assert derived_rag(action, AS_AT) == expected


def test_completed_by_judges_against_the_given_deadline():
    a = act(
        original=date(2016, 7, 30),
        current=date(2016, 11, 30),
        status="Complete",
        completed_on=date(2016, 9, 1),
    )
    assert completed_by(a, a.current_deadline)
    assert not completed_by(a, a.original_deadline)
    assert not completed_by(act(status="On track"), date(2017, 1, 1))
