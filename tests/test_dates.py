"""Reading dates as officers type them."""

from datetime import date, datetime

import pytest

from ofsted_tracker.workbook.plan.dates import read_date, uk


@pytest.mark.parametrize(
    ("value", "expected", "kind"),
    [
        (date(2016, 11, 30), date(2016, 11, 30), None),
        (datetime(2016, 11, 30, 0, 0), date(2016, 11, 30), None),
        (None, None, None),
        ("  ", None, None),
        ("30/11/2016", date(2016, 11, 30), "warning"),
        ("30/11/16", date(2016, 11, 30), "warning"),
        ("2016-11-30", date(2016, 11, 30), "warning"),
        ("30th Sept 2016", date(2016, 9, 30), "warning"),
        ("1st August 2016", date(2016, 8, 1), "warning"),
        ("3rd Oct 2016", date(2016, 10, 3), "warning"),
        ("29 February 2016", date(2016, 2, 29), "warning"),  # a leap year
        ("February 2017", date(2017, 2, 28), "warning"),  # a month alone: its last day
        ("February 2016", date(2016, 2, 29), "warning"),
        (42704, date(2016, 11, 30), "warning"),  # an Excel serial number in a General cell
        (42704.0, date(2016, 11, 30), "warning"),
        ("31st April 2016", None, "error"),
        ("29 February 2017", None, "error"),
        ("31/04/2016", None, "error"),
        ("Align to the roll-out of ICS V12 – Date?", None, "error"),
        ("TBC", None, "error"),
        (3.5, None, "error"),
        (True, None, "error"),
    ],
)
def test_read_date(value, expected, kind):
    reading = read_date(value)
    assert reading.value == expected
    assert reading.kind == kind
    if kind:
        assert reading.problem


def test_thirty_first_april_message_says_why():
    problem = read_date("31st April 2016").problem
    assert "April 2016 has 30 days" in problem and "dd/mm/yyyy" in problem


def test_uk_format():
    assert uk(date(2016, 11, 30)) == "30/11/2016"
    assert uk(None) == ""


def test_a_plain_number_is_read_on_the_workbooks_own_calendar():
    assert read_date(42551).value == date(2016, 6, 30)
    assert read_date(41089, date1904=True).value == date(2016, 6, 30)
    assert read_date(42551, date1904=True).value == date(2020, 7, 1)
    assert (
        read_date(32874 - 1462 - 1, date1904=True).kind == "error"
    )  # before 1990 on that calendar: not a date


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (-1e12, "-1000000000000"),
        (1e300, "1e+300"),
        (float("nan"), "nan"),
        (float("-inf"), "-inf"),
        (3.5, "3.5"),
    ],
)
def test_numbers_far_outside_any_date_are_errors_quoting_the_number(value, shown):
    reading = read_date(value)
    assert reading.value is None and reading.kind == "error"
    assert f"the number {shown} is not a date" in reading.problem


def test_true_is_named_as_excel_shows_it():
    assert "'TRUE'" in read_date(True).problem
