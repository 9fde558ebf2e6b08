"""What the computed sheets show, cell by cell, as plain grids: one layout for the file writer and the macros.

Each grid is a list of rows starting at A1. Fixed parts sit at fixed rows (the Dashboard's chart reads
OVERALL_ROWS), and the one variable-length list of each sheet comes last, so formatting never moves.
"""

from __future__ import annotations

from datetime import date

from ofsted_tracker.workbook.plan.dates import uk
from ofsted_tracker.workbook.plan.schema import RATING_NAMES, Cell, Grid
from ofsted_tracker.workbook.rules.summary import Summary

COMPUTED_NOTE = "Computed by ofsted-tracker: do not type here. Refresh from the ribbon or with 'ofsted-tracker refresh'."
DASHBOARD_WIDTH, SLIPPAGE_WIDTH, CHECKS_WIDTH = 6, 10, 5
OVERALL_HEADER_ROW = 4
OVERALL_ROWS = (6, 8)  # Green, Amber, Red rows
CHART_ROWS = (
    6,
    9,
)  # Green, Amber, Red, Not rated rows: the chart's series (name in A, values in B, C)
BLUE_ROW = 10  # BRAG only: the Blue row (the chart's Blue series), "differs" one row lower
NOTE_ROWS = 2  # each computed sheet's title and note: one line, overflowing to the right
PERIOD_HEADER_ROW = 12
REVISIONS_HEADER_ROW = 21
TABLE_HEADER_ROW = 4  # header row of the Slippage and Checks lists; their rows start below
TREND_COLUMN = 8  # the direction-of-travel table starts in column H, beside the overall counts
TREND_POINTS = 8  # the latest eight points (two years of quarters)
TREND_HEADERS = (
    "Direction of travel",
    "As at",
    "Total",
    "Green",
    "Amber",
    "Red",
    "Not rated",
    "Complete",
)
TREND_WIDTHS = (20, 24, 8, 8, 8, 8, 10, 10)
BRAG_TREND_GREEN = "Blue + Green"  # in a BRAG plan the trend's Green counts Blue too, so the counts add up to the total
TREND_FIRST_ROW = (
    OVERALL_HEADER_ROW + 1
)  # the first point's row: the trend chart's ranges start here
CHASE_COLUMN = (
    TREND_COLUMN + len(TREND_HEADERS) + 1
)  # the chase list: column Q, beside the trend, a column between
CHASE_HEADER_ROW = PERIOD_HEADER_ROW  # level with the period's block, which it is about
CHASE_HEADERS = (
    "Chase list",
    "Name",
    "Requests sent",
    "Returns received",
    "Without an update this period",
    "Commentary unchanged since the last snapshot",
)
CHASE_WIDTHS = (12, 22, 10, 10, 30, 30)


def _ids(ids: tuple[str, ...]) -> str:
    return ", ".join(ids)


def _pad(rows: Grid, width: int) -> Grid:
    """Every row of the grid filled out to ``width`` cells, in place: each row is a list made for this grid alone
    (a copy would hold a 100,000-row sheet twice)."""
    for row in rows:
        row.extend([None] * (width - len(row)))
    return rows


def dashboard_grid(s: Summary) -> Grid:
    """The Dashboard sheet: overall counts (rule and recorded), the period snapshot, the period's revisions."""
    o, r = s.overall, s.recorded
    scheme = s.plan.scheme
    differ = "; ".join(
        f"{d.action_id} ({d.recorded}, rule {d.derived or 'not rated'})" for d in s.disagreements
    )
    rows: Grid = [
        ["Progress dashboard", None, None, None, None, None],
        [f"As at {uk(s.as_at)}. {COMPUTED_NOTE}"],
        [],
        [
            "Overall progress" if scheme.name == "RAG" else f"Overall progress ({scheme.name})",
            "By the rule",
            "As recorded",
            "Actions (by the rule)",
        ],
        [total_label(s), len(o.total), len(r.total), None],
        *(
            [b.label, len(o.of(b.letter)), len(r.of(b.letter)), _ids(o.of(b.letter))]
            for b in (scheme.green, scheme.amber, scheme.red)
        ),
        [
            "Not rated (no valid deadline / no RAG recorded)",
            len(o.not_rated),
            len(r.not_rated),
            _ids(o.not_rated),
        ],
        *blue_rows(s),
        ["Recorded RAG differs from the rule", len(s.disagreements), None, differ],
        [],
    ][
        : PERIOD_HEADER_ROW - 1
    ]  # in BRAG the Blue row takes the blank row: the period still starts at its row
    p = s.period
    if p is None:
        rows += [["Reporting period: none chosen (set 'Reporting period' in Settings)"]] + [[]] * 7
    else:
        span = f"{uk(p.period.start)} to {uk(p.period.end)}"
        rows += [
            [
                f"Reporting period {p.period.name} ({span})",
                "Count",
                None,
                "Actions (judged against the original deadline)",
            ],
            ["Due for completion in the period", len(p.due), None, _ids(p.due)],
            ["Completed by deadline", len(p.completed), None, _ids(p.completed)],
            ["Not completed by deadline", len(p.not_completed), None, _ids(p.not_completed)],
            [
                "   of which since rescheduled by an approved revision",
                len(p.rescheduled),
                None,
                _ids(p.rescheduled),
            ],
            ["   of which completed late", len(p.completed_late), None, _ids(p.completed_late)],
            [
                "Not yet due (deadline after the as-at date)",
                len(p.not_yet_due),
                None,
                _ids(p.not_yet_due),
            ],
            [],
        ]
    _trend_block(rows, s)
    title = "Deadline revisions agreed this period" if p else "Deadline revisions (all)"
    rows += [
        [title, None, None, None, None, None],
        ["Action", "Old deadline", "New deadline", "Reason", "Agreed by", "Agreed on"],
    ]
    rows += [
        [
            rev.action_id,
            uk(rev.old_deadline),
            uk(rev.new_deadline),
            rev.reason,
            rev.agreed_by,
            uk(rev.agreed_on),
        ]
        for rev in s.revisions
    ]
    _chase_block(
        rows, s
    )  # last: a long chase list adds rows beside the revisions, never moves them down
    return _pad(
        rows,
        CHASE_COLUMN - 1 + len(CHASE_HEADERS)
        if s.chase_log
        else TREND_COLUMN - 1 + len(TREND_HEADERS),
    )


def chase_rows(s: Summary) -> list[list[Cell]]:
    """The chase list: a header, then per owner with actions to update the requests sent, returns received, the
    actions without an update this period and those whose commentary is unchanged since the last snapshot."""

    def listed(ids: tuple[str, ...] | None) -> Cell:
        if ids is None:
            return "no earlier snapshot"
        return f"{len(ids)}: {', '.join(ids)}" if ids else 0

    rows: list[list[Cell]] = [list(CHASE_HEADERS)]
    rows += [
        [
            o.owner,
            o.name,
            o.requests_sent,
            o.returns_received,
            listed(o.without_update),
            listed(o.commentary_unchanged),
        ]
        for o in s.chase
    ]
    return rows


def _chase_block(rows: Grid, s: Summary) -> None:
    """Put the chase list on the Dashboard from the period's header row down, in the columns from CHASE_COLUMN, once
    requests have been sent (until then the Dashboard is as it was)."""
    if not s.chase_log:
        return
    start = CHASE_HEADER_ROW - 1
    for i, values in enumerate(chase_rows(s)):
        while len(rows) <= start + i:
            rows.append([])
        row = rows[start + i]
        rows[start + i] = list(row) + [None] * (CHASE_COLUMN - 1 - len(row)) + values


def blue_rows(s: Summary) -> Grid:
    """The Dashboard's row for the scheme's fourth bucket (at BLUE_ROW): Blue in BRAG, Completed in the two
    Completed schemes; none in RAG."""
    extra = s.plan.scheme.extra
    if extra is None:
        return []
    o, r = s.overall, s.recorded
    ids = o.of(extra.letter)
    return [[extra.label, len(ids), len(r.of(extra.letter)), _ids(ids)]]


def total_label(s: Summary) -> str:
    """ "Total number of actions in the plan", saying which are left out (withdrawn), which have no end date and, in
    the scheme that lists them apart, which were completed late or rescheduled with approval."""
    apart = []
    if s.plan.withdrawn:
        apart.append(
            f"{len(s.plan.withdrawn)} withdrawn left out: {_ids(tuple(a.action_id for a in s.withdrawn))}"
        )
    if s.no_end_date:
        apart.append(f"{len(s.no_end_date)} ongoing, no end date: {_ids(s.no_end_date)}")
    scheme = s.plan.scheme
    if scheme.completed_apart and s.completed_late:
        apart.append(f"{len(s.completed_late)} completed late: {_ids(s.completed_late)}")
    if scheme.days_behind and s.rescheduled:
        apart.append(f"{len(s.rescheduled)} rescheduled with approval: {_ids(s.rescheduled)}")
    return "Total number of actions in the plan" + (f" ({'; '.join(apart)})" if apart else "")


def trend_rows(s: Summary) -> list[list[Cell]]:
    """The direction-of-travel table: a header, then period, as-at date and counts of the latest trend points.

    The last point is the plan now; it reads "(not recorded)" until a snapshot of the period is taken.
    """
    headers = [BRAG_TREND_GREEN if s.plan.brag and h == "Green" else h for h in TREND_HEADERS]
    rows: list[list[Cell]] = [headers]
    for point in s.trend[-TREND_POINTS:]:
        c = point.counts
        shown = uk(point.as_at) + (
            " (edited)"
            if point.edited
            else " (taken with --force)"
            if point.forced
            else ""
            if point.recorded
            else " (not recorded)"
        )
        rows.append(
            [point.period, shown, c.total, c.by_deadline, c.amber, c.red, c.not_rated, c.complete]
        )
    return rows


def _trend_block(rows: Grid, s: Summary) -> None:
    """Put the trend table on the Dashboard's rows from the overall header down, in the columns from TREND_COLUMN."""
    start = OVERALL_HEADER_ROW - 1
    for i, values in enumerate(trend_rows(s)):
        row = rows[start + i]
        rows[start + i] = list(row) + [None] * (TREND_COLUMN - 1 - len(row)) + values


def slippage_grid(s: Summary) -> Grid:
    """The Slippage sheet: one row per action with both RAGs, deadlines, days slipped, revisions, days overdue."""
    actions = {a.action_id: a for a in s.plan.actions}
    rows: Grid = [
        ["Slippage by action"],
        [f"As at {uk(s.as_at)}. {COMPUTED_NOTE}"],
        [],
        [
            "Action ID",
            "Action",
            "Owner(s)",
            "RAG by the rule",
            "Recorded RAG",
            "Original deadline",
            "Current deadline",
            "Days slipped",
            "Revisions",
            "Days overdue",
        ],
    ]
    for row in s.slippage:
        a = actions.get(row.action_id)
        rows.append(
            [
                row.action_id,
                a.text if a else "",
                a.owners_text if a else "",
                row.derived_rag or "-",
                row.recorded_rag or "",
                uk(row.original_deadline),
                uk(row.current_deadline),
                row.days_slipped,
                row.revisions,
                row.days_overdue,
            ]
        )
    return _pad(rows, SLIPPAGE_WIDTH)


def checks_grid(s: Summary) -> Grid:
    """The Checks sheet: every finding with severity, where, action and the message."""
    summary = f"{s.counts_text()} as at {uk(s.as_at)}."
    rows: Grid = [
        ["Checks"],
        [f"{summary} {COMPUTED_NOTE}"],
        [],
        ["Severity", "Where", "Action", "What is wrong and how to put it right", "Rule"],
    ]
    rows += [[f.severity, f.where, f.action_id, f.message, f.code] for f in s.findings]
    return _pad(rows, CHECKS_WIDTH)


def computed_grids(s: Summary) -> dict[str, Grid]:
    """The three computed sheets by name."""
    return {"Dashboard": dashboard_grid(s), "Slippage": slippage_grid(s), "Checks": checks_grid(s)}


def rag_label(rag: str | None) -> str:
    return RATING_NAMES.get(rag or "", "Not rated")


LINE_HEIGHT = 15  # points per line of 11pt text


def row_heights(grid: Grid, widths: list[float]) -> dict[int, float]:
    """The height of each row (numbered from 1) whose wrapped text needs more than one line; never the title or note."""
    heights = {}
    for i, values in enumerate(grid[NOTE_ROWS:], start=NOTE_ROWS + 1):
        height = fit_height(values, widths)
        if height:
            heights[i] = height
    return heights


def fit_height(values: list[object], widths: list[float]) -> float | None:
    """A row height that shows every wrapped line of the values in columns of these widths; None for one line."""
    lines = 1
    for value, width in zip(values, widths):
        if isinstance(value, str) and value:
            per_line = int(
                max(width, 1)
            )  # characters of 11pt text per line, erring towards a taller row
            if len(value) <= per_line and "\n" not in value:
                continue  # one line: the common case
            lines = max(lines, sum(-(-max(len(part), 1) // per_line) for part in value.split("\n")))
    return None if lines == 1 else min(lines, 27) * LINE_HEIGHT


# Printing on A4: margins of 0.7 inch each side; an 11 pt sheet printed at MIN_PRINT_SCALE % is 8.25 pt
A4_WIDTH_INCHES = {"portrait": 8.27 - 1.4, "landscape": 11.69 - 1.4}
MIN_PRINT_SCALE = 75  # per cent: 11 pt text never prints below 8 pt


PRINT_TEXT_SIZE = (
    11  # points: a printed sheet's header and footer, scaled with it (8.25 pt at MIN_PRINT_SCALE)
)


def print_heading(council: object, as_at: object) -> dict[str, str]:
    """What every sheet prints at its top and foot, in Excel's header codes: the sheet's name (``&A``, so a renamed
    tab prints its new name) and the council above; the as-at date and "Page N of M" below. An ampersand of the
    council's name is doubled, Excel's way to print one (``Brighton && Hove``)."""
    name = str(council or "").replace("&", "&&")
    if name[
        :1
    ].isdigit():  # after a font size code (&11), a leading digit would be read as part of the size
        name = " " + name
    return {
        "header left": "&A",
        "header right": name,
        "footer left": f"As at {uk(as_at)}" if isinstance(as_at, date) else "",
        "footer right": "Page &P of &N",
    }


def column_pixels(width: float) -> float:
    """A column's printed width in pixels at 96 dpi, erring wide: Excel's width is in characters of Calibri's 7 px,
    but LibreOffice without Calibri's metric twin prints a character of DejaVu Sans, about 9.3 px."""
    return width * 9.5 + 5


def page_layout(widths: list[float]) -> dict[str, object]:
    """How a sheet of these column widths prints on A4: portrait when it fits at full size, else landscape; fitted
    to the page's width when that keeps text at MIN_PRINT_SCALE % or more, else printed at that scale across as many
    pages as it needs (never fitted to one page, which shrinks a long or wide sheet's text below 8 pt)."""
    total = sum(column_pixels(w) for w in widths) or 1.0
    for orientation in ("portrait", "landscape"):
        page = A4_WIDTH_INCHES[orientation] * 96
        if total <= page:
            return {"orientation": orientation, "fit_to_width": True, "scale": 100}
    if total * MIN_PRINT_SCALE / 100 <= page:
        return {"orientation": "landscape", "fit_to_width": True, "scale": 100}
    return {"orientation": "landscape", "fit_to_width": False, "scale": MIN_PRINT_SCALE}
