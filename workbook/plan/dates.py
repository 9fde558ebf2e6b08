"""Reading dates as officers type them: real dates, Excel serials, '30/11/2016', '30th Sept 2016', 'February 2017'."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
_MONTHS["sept"] = 9

_EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's (1900) calendar, as it counts after 28/02/1900
_EPOCH_1904 = date(
    1904, 1, 1
)  # day 0 of a workbook saved with the 1904 calendar (workbookPr date1904)
_PLAUSIBLE = (date(1990, 1, 1), date(2099, 12, 31))
# The epochs are defined here, once, rather than taken from openpyxl.utils.datetime: importing that loads all of
# openpyxl (about 0.3 s), which validate and refresh never otherwise need.  # numbers read as days outside these are not plausibly dates

_DAY_MONTH_YEAR = re.compile(
    r"^(?P<d>\d{1,2})\s*(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>[a-z]+)\.?,?\s+(?P<y>\d{2}|\d{4})$"
)
_MONTH_DAY_YEAR = re.compile(
    r"^(?P<m>[a-z]+)\.?\s+(?P<d>\d{1,2})\s*(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})$"
)
_MONTH_YEAR = re.compile(r"^(?P<m>[a-z]+)\.?,?\s+(?P<y>\d{4})$")
_NUMERIC = re.compile(r"^(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{2}|\d{4})$")
_ISO = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")


@dataclass(frozen=True)
class DateReading:
    """What a date cell means: the date (or None), and a problem to report (kind 'error' or 'warning')."""

    value: date | None
    problem: str | None = None
    kind: str | None = None
    month_only: bool = (
        False  # the text named a month, not a day ("February 2017"): value is its last day
    )


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def _make(year: int, month: int, day: int, shown: str) -> DateReading:
    try:
        return DateReading(date(year, month, day))
    except ValueError:
        if 1 <= month <= 12:
            last = calendar.monthrange(year, month)[1]
            return DateReading(
                None,
                f"'{shown}' is not a real date: {calendar.month_name[month]} {year} has {last} days. "
                "Type the intended date as dd/mm/yyyy.",
                "error",
            )
        return DateReading(
            None, f"'{shown}' is not a real date (month {month}). Type it as dd/mm/yyyy.", "error"
        )


def excel_serial(day: date, date1904: bool = False) -> int:
    """The number Excel stores for a date (days since its calendar's day 0)."""
    return (day - (_EPOCH_1904 if date1904 else _EXCEL_EPOCH)).days


def read_date(value: object, date1904: bool = False) -> DateReading:
    """Interpret one cell as a date; blank gives ``DateReading(None)`` with no problem.

    A plain number is read as an Excel day number, counted on the workbook's own calendar (``date1904``).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return DateReading(None)
    if isinstance(value, datetime):
        return DateReading(value.date())
    if isinstance(value, date):
        return DateReading(value)
    if isinstance(value, bool):
        return DateReading(
            None,
            f"'{str(value).upper()}' (a true/false value) is not a date. Type the date as "
            "dd/mm/yyyy.",
            "error",
        )
    if isinstance(value, (int, float)):
        epoch = _EPOCH_1904 if date1904 else _EXCEL_EPOCH
        low, high = ((d - epoch).days for d in _PLAUSIBLE)
        if low <= value <= high and float(value).is_integer():
            day = epoch + timedelta(days=int(value))
            return DateReading(
                day,
                f"the number {int(value)} was read as {day:%d/%m/%Y}. Format the cell as a date so Excel shows it.",
                "warning",
            )
        whole = float(value).is_integer() and abs(value) < 1e15
        shown = (
            f"{int(value)}" if whole else f"{value:g}"
        )  # 42 and -1000000000000, not 42.0; 1e+300, nan
        return DateReading(
            None, f"the number {shown} is not a date. Type the date as dd/mm/yyyy.", "error"
        )
    if isinstance(value, timedelta):
        return DateReading(None, "a time, not a date. Type the date as dd/mm/yyyy.", "error")
    shown = " ".join(str(value).split())
    text = shown.lower()
    for pattern in (_NUMERIC, _ISO, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        match = pattern.match(text)
        if not match:
            continue
        month_text = match["m"]
        month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text)
        if month is None:
            break
        reading = _make(_year(match["y"]), month, int(match["d"]), shown)
        if reading.value is not None:
            return DateReading(
                reading.value,
                f"'{shown}' is text, read as {reading.value:%d/%m/%Y}. Retype it as a date (dd/mm/yyyy) so Excel can sort it.",
                "warning",
            )
        return reading
    match = _MONTH_YEAR.match(text)
    if match and match["m"] in _MONTHS:
        year, month = int(match["y"]), _MONTHS[match["m"]]
        day = date(year, month, calendar.monthrange(year, month)[1])
        return DateReading(
            day,
            f"'{shown}' names a month, not a day; it is read as the month's last day, {day:%d/%m/%Y}. "
            "Type the exact deadline as dd/mm/yyyy.",
            "warning",
            month_only=True,
        )
    return DateReading(None, f"'{shown}' is not a date. Type the date as dd/mm/yyyy.", "error")


def uk(day: date | None) -> str:
    """A date as the council writes it in tables: 30/11/2016 (blank for None)."""
    return "" if day is None else f"{day:%d/%m/%Y}"
