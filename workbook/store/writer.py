"""Making a new tracker .xlsx with openpyxl: Excel Tables, drop-downs, date validation, RAG colours, UK dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.table import Table, TableColumn, TableFormula, TableStyleInfo

from ofsted_tracker.workbook.plan import schema, schemes
from ofsted_tracker.workbook.rules import layout
from ofsted_tracker.workbook.store.safe_write import atomic_write

UK_DATE = "dd/mm/yyyy"
MAX_ROW = 1_048_576  # Excel's last row: validation and formats cover whole Table columns, so they grow with the Table
FORMULA_ROWS = (
    1000  # the Checks formula is written this far down, ready for rows typed below the Table
)
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
COMPUTED_TAB = "808080"
OFFICER_TAB = "1F4E79"
LIGHT = {"G": "C6EFCE", "A": "FFEB9C", "R": "FFC7CE"}
NOT_RATED_FILL = "A6A6A6"  # grey, as "NR" in the report
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")

# Drop-down lists by defined name. Each name is a whole Table column (a structured reference), so it grows with
# the Table and a blank row does not cut it short; validation cannot name a Table column itself, but can a name.
LIST_NAMES = {
    "recommendations": (
        "ot_recs",
        f"{schema.RECOMMENDATIONS.table}[{schema.RECOMMENDATIONS.columns[0].header}]",
    ),
    "leads": ("ot_leads", f"{schema.LEADS.table}[{schema.LEADS.columns[0].header}]"),
    "periods": ("ot_periods", f"{schema.PERIODS.table}[{schema.PERIODS.columns[0].header}]"),
    "actions": ("ot_actions", f"{schema.ACTIONS.table}[{schema.ACTIONS.columns[0].header}]"),
}
SHEET_ORDER = (
    schema.DASHBOARD,
    schema.ACTIONS.name,
    schema.CHECKS,
    schema.SLIPPAGE,
    schema.RECOMMENDATIONS.name,
    schema.LEADS.name,
    schema.REVISIONS.name,
    schema.PERIODS.name,
    schema.SETTINGS.name,
)


class FittedRow(RowDimension):
    """A row height written without ``customHeight``: shown as given, and re-fitted by Excel and LibreOffice
    when the row's text changes (a height marked custom stays fixed and cuts off text typed later)."""

    @property
    def customHeight(self) -> bool:
        return False


def _rag_rules(ws, ref: str, scheme: schemes.Scheme = schemes.RAG) -> None:
    """Each rating letter of the scheme in its colour."""
    for bucket in scheme.buckets:
        ws.conditional_formatting.add(
            ref,
            CellIsRule(
                operator="equal",
                formula=[f'"{bucket.letter}"'],
                stopIfTrue=True,
                fill=PatternFill("solid", fgColor=bucket.fill, bgColor=bucket.fill),
                font=Font(bold=True, color=bucket.font),
            ),
        )


def _date_rule(column: schema.Column) -> DataValidation:
    return DataValidation(
        type="date",
        operator="between",
        formula1="DATE(2000,1,1)",
        formula2="DATE(2099,12,31)",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=column.header,
        error="Type a date as dd/mm/yyyy, for example 30/11/2016.",
        showInputMessage=True,
        promptTitle=column.header,
        prompt=(column.note or "A date, dd/mm/yyyy")[:255],
    )


def _column_range(letter: str) -> str:
    """A whole Table column below its header: validation and formats on it grow as the Table grows."""
    return f"{letter}2:{letter}{MAX_ROW}"


def _officer_sheet(
    wb: Workbook, spec: schema.SheetSpec, rows: list[dict[str, object]], extra: tuple[str, ...] = ()
) -> None:
    ws = wb.create_sheet(spec.name)
    ws.sheet_properties.tabColor = OFFICER_TAB
    headers = list(spec.headers) + list(extra)
    ws.append(headers)
    for values in rows:
        ws.append([values.get(c.field) for c in spec.columns] + [values.get(h) for h in extra])
    for row in ws.iter_rows(min_row=2, max_col=len(headers)):
        for cell in row:
            if isinstance(cell.value, str) and cell.data_type == "f":
                cell.data_type = (
                    "s"  # officers' text such as "=HYPERLINK(...)" stays text, never a formula
                )
    last = max(len(rows) + 1, 2)
    for j, column in enumerate(spec.columns, start=1):
        letter = schema.column_letter(j)
        dimension = ws.column_dimensions[letter]
        dimension.width = column.width
        wrap = column.kind == schema.TEXT and column.width >= 20
        dimension.alignment = (
            WRAP if wrap else TOP
        )  # the column's style: rows typed later look the same
        if column.kind == schema.DATE:
            dimension.number_format = UK_DATE
        elif column.kind == schema.ID:
            dimension.number_format = "@"
        for r in range(2, last + 1):
            cell = ws.cell(r, j)
            cell.alignment = WRAP if wrap else TOP
            if column.kind == schema.DATE and not isinstance(cell.value, str):
                cell.number_format = UK_DATE
            elif column.kind == schema.ID:
                cell.number_format = "@"
        if column.kind == schema.DATE:
            rule = _date_rule(column)
            rule.add(_column_range(letter))
            ws.add_data_validation(rule)
    for j, header in enumerate(extra, start=len(spec.columns) + 1):
        ws.column_dimensions[schema.column_letter(j)].width = (
            40 if header != schema.CHECKS_COLUMN else 18
        )
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        column = next((c for c in spec.columns if c.header == cell.value), None)
        if column and column.note:
            from openpyxl.comments import Comment

            cell.comment = Comment(column.note, "ofsted-tracker", width=260, height=70)
    widths = [c.width for c in spec.columns]
    for r in range(
        1, len(rows) + 2
    ):  # heights that show the text, but not fixed: they follow what officers type
        height = layout.fit_height(
            [ws.cell(r, j).value for j in range(1, len(spec.columns) + 1)], widths
        )
        if height:
            ws.row_dimensions[r] = FittedRow(ws, index=r, ht=height)
    ref = f"A1:{schema.column_letter(len(headers))}{last}"
    table = Table(
        displayName=spec.table,
        ref=ref,
        tableColumns=[TableColumn(id=i, name=h) for i, h in enumerate(headers, start=1)],
    )
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "B2" if spec is schema.ACTIONS else "A2"
    ws.sheet_view.zoomScale = 90


def _list_rule(formula: str, title: str, prompt: str, strict: bool = True) -> DataValidation:
    return DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=strict,
        errorTitle=title,
        error=f"Pick {title} from the drop-down list.",
        showInputMessage=True,
        promptTitle=title,
        prompt=prompt[:255],
    )


def _guide_actions(wb: Workbook, scheme: schemes.Scheme, words: schemes.StatusWords) -> None:
    ws = wb[schema.ACTIONS.name]
    spec = schema.ACTIONS
    col = spec.letter
    rules = [
        (
            _list_rule(
                LIST_NAMES["recommendations"][0], "Recommendation", "Pick the recommendation number"
            ),
            "rec_id",
        ),
        (
            _list_rule(
                LIST_NAMES["leads"][0],
                "Owner(s)",
                "Initials from Leads; for several owners type them with / between, e.g. SK/TB",
                strict=False,
            ),
            "owners",
        ),
        (
            _list_rule(
                '"' + ",".join(words.drop_down()) + '"',
                "Progress status",
                "The plan's status words (Settings, 'Words for ...' rows)",
            ),
            "status",
        ),
        (
            _list_rule(
                '"' + ",".join(scheme.letters) + '"',
                "Recorded RAG",
                scheme.prompt,
            ),
            "recorded_rag",
        ),
    ]
    for rule, field in rules:
        rule.add(_column_range(col(field)))
        ws.add_data_validation(rule)
    _rag_rules(ws, _column_range(col("recorded_rag")), scheme)
    j = len(spec.columns) + 1
    checks = schema.column_letter(j)
    ws.conditional_formatting.add(
        f"A2:{checks}{MAX_ROW}",
        FormulaRule(
            formula=[f'LEFT(${checks}2,6)="Errors"'],
            fill=PatternFill("solid", fgColor="FCE4D6", bgColor="FCE4D6"),
        ),
    )
    # the Checks column is a Table calculated column: Excel gives each row the Table grows by the same formula;
    # written down to FORMULA_ROWS as well, so rows typed below the Table in any program have it
    table = ws.tables[spec.table]
    table.tableColumns[-1].calculatedColumnFormula = TableFormula(attr_text=checks_formula(2)[1:])
    ws.column_dimensions[checks].font = Font(bold=True, color="C00000")
    ws.column_dimensions[checks].alignment = TOP
    for r in range(2, max(ws.max_row, FORMULA_ROWS) + 1):
        cell = ws.cell(r, j)
        cell.value = checks_formula(r)
        cell.font = Font(bold=True, color="C00000")
        cell.alignment = TOP


def _guide_settings(wb: Workbook) -> None:
    """Settings: the reporting period from the Periods Table, dates as dates."""
    ws = wb[schema.SETTINGS.name]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    if "Reporting period" in rows:
        rule = _list_rule(
            LIST_NAMES["periods"][0], "Reporting period", "Pick a period from the Periods sheet"
        )
        rule.add(f"B{rows['Reporting period']}")
        ws.add_data_validation(rule)
    if "Rating scheme" in rows:
        rule = _list_rule(
            '"' + ",".join(schema.SCHEMES) + '"',
            "Rating scheme",
            "RAG, BRAG, RAG + Completed or Days behind (see the README's rules)",
        )
        rule.add(f"B{rows['Rating scheme']}")
        ws.add_data_validation(rule)
    for key in schema.SETTING_DATES:
        if key in rows:
            ws.cell(rows[key], 2).number_format = UK_DATE
            rule = _date_rule(schema.Column(key, key, schema.DATE, note=f"{key}, dd/mm/yyyy"))
            rule.add(f"B{rows[key]}")
            ws.add_data_validation(rule)


def _guide_revisions(wb: Workbook) -> None:
    """Revisions: the Action ID from the Actions Table."""
    ws = wb[schema.REVISIONS.name]
    rule = _list_rule(
        LIST_NAMES["actions"][0], "Action ID", "Pick the action whose deadline changed"
    )
    rule.add(_column_range(schema.REVISIONS.letter("action_id")))
    ws.add_data_validation(rule)


def checks_formula(row: int) -> str:
    """The Actions sheet's own formula: how many errors (or warnings) the Checks sheet lists for this row's action."""
    errors = f'COUNTIFS(Checks!$C:$C,$A{row},Checks!$A:$A,"error")'
    others = f"COUNTIF(Checks!$C:$C,$A{row})"
    return (
        f'=IF($A{row}="","",IF({errors}>0,"Errors: "&{errors}&" - see Checks",'
        f'IF({others}>0,"Notes: "&{others},"")))'
    )


def _computed_sheet(
    wb: Workbook, name: str, grid: layout.Grid, widths: list[float], header_row: int
) -> None:
    ws = wb.create_sheet(name)
    ws.sheet_properties.tabColor = COMPUTED_TAB
    for row in grid:
        ws.append(row)
    for j, width in enumerate(widths, start=1):
        letter = schema.column_letter(j)
        ws.column_dimensions[letter].width = width
        ws.column_dimensions[letter].alignment = WRAP
    ws["A1"].font = Font(bold=True, size=16, color="1F4E79")
    ws["A2"].font = Font(italic=True, color="7F7F7F")
    for r in range(3, ws.max_row + 1):
        for j in range(1, len(widths) + 1):
            ws.cell(r, j).alignment = WRAP
    for r, height in layout.row_heights(grid, widths).items():
        ws.row_dimensions[r].height = height
    _header(ws, header_row, len(widths))
    ws.freeze_panes = f"A{header_row + 1}"
    blocker = DataValidation(
        type="custom",
        formula1="FALSE",
        showErrorMessage=True,
        errorTitle="Computed sheet",
        error="This sheet is computed by ofsted-tracker and is rewritten at every refresh. Type in the Actions sheet instead.",
    )
    blocker.add(f"A1:{schema.column_letter(len(widths) + 4)}{MAX_ROW}")
    ws.add_data_validation(blocker)
    ws.sheet_view.zoomScale = 90


def _header(ws, row: int, width: int) -> None:
    for j in range(1, width + 1):
        cell = ws.cell(row, j)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _dashboard(wb: Workbook, grid: layout.Grid, scheme: schemes.Scheme = schemes.RAG) -> None:
    _computed_sheet(
        wb,
        schema.DASHBOARD,
        grid,
        [52, 13, 13, 60, 30, 13, 26, *layout.TREND_WIDTHS, 4, *layout.CHASE_WIDTHS],
        layout.OVERALL_HEADER_ROW,
    )
    ws = wb[schema.DASHBOARD]
    ws.freeze_panes = None
    for row in (layout.PERIOD_HEADER_ROW, layout.REVISIONS_HEADER_ROW):
        _header(ws, row, layout.DASHBOARD_WIDTH if row == layout.REVISIONS_HEADER_ROW else 4)
    ws.cell(layout.REVISIONS_HEADER_ROW - 1, 1).font = Font(bold=True, size=12, color="1F4E79")
    for row, rag in zip(range(layout.OVERALL_ROWS[0], layout.OVERALL_ROWS[1] + 1), "GAR"):
        ws.cell(row, 1).fill = PatternFill("solid", fgColor=LIGHT[rag])
    ws.cell(layout.CHART_ROWS[1], 1).fill = PatternFill("solid", fgColor="EDEDED")
    if scheme.extra:
        ws.cell(layout.BLUE_ROW, 1).fill = PatternFill("solid", fgColor=scheme.extra.light)
    for r in range(layout.OVERALL_HEADER_ROW + 1, layout.PERIOD_HEADER_ROW + 8):
        if r == layout.PERIOD_HEADER_ROW:
            continue
        for j in (2, 3):
            ws.cell(r, j).alignment = Alignment(horizontal="center", vertical="top")
            ws.cell(r, j).font = Font(bold=True)
    chart = BarChart()
    chart.type = "col"
    chart.title = "Actions by RAG"
    chart.y_axis.title = "Actions"
    chart.y_axis.majorGridlines = None
    chart.legend.position = "r"
    chart.height, chart.width = 8, 17
    first, last = layout.CHART_ROWS
    colours = [schema.RAG_FILLS[rag] for rag in schema.RAGS] + [NOT_RATED_FILL]
    rows = list(range(first, last + 1))
    if scheme.extra:  # Blue or Completed first in the legend and the stack, read from its own row
        rows, colours = [layout.BLUE_ROW, *rows], [scheme.extra.fill, *colours]
    for row, colour in zip(rows, colours):  # one series per RAG, coloured as everywhere else
        series = Series(Reference(ws, min_col=2, max_col=3, min_row=row), title=None)
        series.tx = SeriesLabel(strRef=StrRef(f"'{ws.title}'!$A${row}"))
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = "404040"
        chart.series.append(series)
    chart.set_categories(
        Reference(ws, min_col=2, max_col=3, min_row=layout.OVERALL_HEADER_ROW)
    )  # rule, recorded
    _chart_text(chart)
    ws.add_chart(
        chart, "E4"
    )  # beside the counts, above the revisions table (which starts in row 21)
    _trend_chart(ws, grid)
    for j in range(
        layout.CHASE_COLUMN, layout.CHASE_COLUMN + len(layout.CHASE_HEADERS)
    ):  # the chase list's header
        cell = ws.cell(layout.CHASE_HEADER_ROW, j)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for j in range(
        layout.TREND_COLUMN + len(layout.TREND_HEADERS),
        layout.CHASE_COLUMN + len(layout.CHASE_HEADERS),
    ):
        gap = ws.cell(
            layout.OVERALL_HEADER_ROW, j
        )  # the header style of row 4 stops at the trend table
        gap.fill, gap.font = PatternFill(fill_type=None), Font()


def _chart_text(chart) -> None:
    """The chart's axis and legend text at 11 pt (Excel's default is 10): 8.25 pt when the sheet prints at 75 %."""
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties

    def text() -> RichText:
        size = CharacterProperties(sz=1100)
        return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=size), endParaRPr=size)])

    for axis in (chart.x_axis, chart.y_axis):
        axis.txPr = text()
        if axis.title is not None:
            for paragraph in axis.title.tx.rich.p:
                paragraph.pPr = ParagraphProperties(defRPr=CharacterProperties(sz=1100, b=True))
    chart.legend.txPr = text()


def _trend_chart(ws, grid: layout.Grid) -> None:
    """The direction-of-travel line chart under the trend table: Green, Amber and Red by period.

    Its ranges cover the trend's points; each refresh sets them to the points it writes (see workbook.store.package).
    """
    first, column = layout.TREND_FIRST_ROW, layout.TREND_COLUMN
    gap = ws.cell(
        layout.OVERALL_HEADER_ROW, column - 1
    )  # the column between the two tables is not a header
    gap.fill, gap.font = PatternFill(fill_type=None), Font()
    for r in range(first, first + layout.TREND_POINTS):
        for j in range(column + 2, column + len(layout.TREND_HEADERS)):
            ws.cell(r, j).alignment = Alignment(horizontal="center", vertical="top")
    points = sum(
        1
        for row in grid[first - 1 : first - 1 + layout.TREND_POINTS]
        if len(row) >= column and row[column - 1]
    )
    last = first + max(points, 1) - 1
    chart = LineChart()
    chart.title = "Direction of travel"
    chart.y_axis.title = "Actions"
    chart.y_axis.majorGridlines = None
    chart.legend.position = "b"
    chart.height, chart.width = 7.5, 16
    for offset, rag in ((3, "G"), (4, "A"), (5, "R")):
        values = Reference(ws, min_col=column + offset, min_row=first, max_row=last)
        series = Series(values, title=None)
        series.tx = SeriesLabel(
            strRef=StrRef(
                f"'{ws.title}'!${schema.column_letter(column + offset)}${layout.OVERALL_HEADER_ROW}"
            )
        )
        series.graphicalProperties.line.solidFill = schema.RAG_FILLS[rag]
        series.graphicalProperties.line.width = 28575  # 2.25 pt
        series.marker.symbol = "circle"
        series.marker.graphicalProperties.solidFill = schema.RAG_FILLS[rag]
        series.smooth = False
        chart.series.append(series)
    periods = f"'{ws.title}'!${schema.column_letter(column)}${first}:${schema.column_letter(column)}${last}"
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(periods))  # the period names are text, not numbers
    _chart_text(chart)
    ws.add_chart(chart, f"{schema.column_letter(column)}{first + layout.TREND_POINTS + 2}")


def _slippage(wb: Workbook, grid: layout.Grid, scheme: schemes.Scheme = schemes.RAG) -> None:
    _computed_sheet(
        wb, schema.SLIPPAGE, grid, [10, 50, 14, 10, 10, 13, 13, 10, 10, 10], layout.TABLE_HEADER_ROW
    )
    ws = wb[schema.SLIPPAGE]
    _rag_rules(ws, f"D{layout.TABLE_HEADER_ROW + 1}:E{MAX_ROW}", scheme)


def _checks(wb: Workbook, grid: layout.Grid) -> None:
    _computed_sheet(wb, schema.CHECKS, grid, [10, 18, 10, 90, 22], layout.TABLE_HEADER_ROW)
    ws = wb[schema.CHECKS]
    ref = f"A{layout.TABLE_HEADER_ROW + 1}:E{MAX_ROW}"
    for word, fill in (("error", "FFC7CE"), ("warning", "FFEB9C")):
        ws.conditional_formatting.add(
            ref,
            FormulaRule(
                formula=[f'$A{layout.TABLE_HEADER_ROW + 1}="{word}"'],
                fill=PatternFill("solid", fgColor=fill, bgColor=fill),
            ),
        )


def build_workbook(
    rows: dict[str, list[dict[str, object]]], grids: dict[str, layout.Grid]
) -> Workbook:
    """A new tracker workbook holding the given officers' rows and computed sheets."""
    wb = Workbook()
    wb.remove(wb.active)
    _officer_sheet(wb, schema.ACTIONS, rows.get("Actions", []), extra=(schema.CHECKS_COLUMN,))
    for spec in schema.OFFICER_SHEETS[1:]:
        extra = ("What it is",) if spec is schema.SETTINGS else ()
        _officer_sheet(wb, spec, rows.get(spec.name, []), extra=extra)
    for name, formula in LIST_NAMES.values():
        wb.defined_names[name] = DefinedName(name, attr_text=formula)
    settings = {r.get("key"): r.get("value") for r in rows.get("Settings", [])}
    scheme = schemes.scheme_named(settings.get(schemes.SCHEME_KEY)) or schemes.RAG
    _guide_actions(wb, scheme, schemes.status_words(settings)[0])
    _guide_settings(wb)
    _guide_revisions(wb)
    _dashboard(wb, grids["Dashboard"], scheme)
    _slippage(wb, grids["Slippage"], scheme)
    _checks(wb, grids["Checks"])
    for index, name in enumerate(SHEET_ORDER):
        wb.move_sheet(name, offset=index - wb.sheetnames.index(name))
    wb.active = 0
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == schema.DASHBOARD
        # the as-at date on the sheets computed as at it; an officer's sheet is theirs, dated by no one job
        computed = ws.title in schema.COMPUTED_SHEETS
        print_setup(ws, settings.get("Council"), settings.get("As at date") if computed else None)
    return wb


def _last_used(ws) -> tuple[int, int]:
    """The sheet's last used row and column: its Table's, for an officer's sheet (the Checks formulas written below
    the Table are not data), else its cells'."""
    if ws.tables:
        ref = next(iter(ws.tables.values())).ref
        _first, last = ref.split(":")
        column, row = coordinate_from_string(last)
        return row, column_index_from_string(column)
    return ws.max_row, ws.max_column


def print_setup(ws, council: object = None, as_at: object = None) -> None:
    """A4, portrait or landscape by the sheet's width, never below 8 pt (rules.layout.page_layout); its header row
    (and, on a sheet printed across pages, its first column) on every page; a print area ending at its last used
    row; a header naming the sheet and council and a footer with the as-at date (when given) and "Page N of M"
    (rules.layout.print_heading)."""
    last_row, last_column = _last_used(ws)
    widths = [
        ws.column_dimensions[schema.column_letter(j)].width or 13 for j in range(1, last_column + 1)
    ]
    fit = layout.page_layout(widths)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = fit["orientation"]
    ws.sheet_properties.pageSetUpPr.fitToPage = fit["fit_to_width"]
    if fit["fit_to_width"]:
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    else:
        ws.page_setup.scale = fit["scale"]
        ws.print_title_cols = "A:A"
    if ws.title not in schema.COMPUTED_SHEETS:
        ws.print_title_rows = "1:1"
    elif ws.title != schema.DASHBOARD:  # Checks and Slippage: their list's header row on every page
        ws.print_title_rows = f"{layout.TABLE_HEADER_ROW}:{layout.TABLE_HEADER_ROW}"
    ws.print_area = f"A1:{schema.column_letter(last_column)}{last_row}"
    heading = layout.print_heading(council, as_at)
    for part, key in (
        (ws.oddHeader.left, "header left"),
        (ws.oddHeader.right, "header right"),
        (ws.oddFooter.left, "footer left"),
        (ws.oddFooter.right, "footer right"),
    ):
        part.text, part.size = heading[key] or None, layout.PRINT_TEXT_SIZE


def settings_rows(values: dict[str, object]) -> list[dict[str, object]]:
    """The Settings sheet's rows in their fixed order, each with its explanation (Rating scheme RAG unless given)."""
    values = {
        schemes.SCHEME_KEY: schema.SCHEMES[0],
        **{key: ", ".join(schemes.DEFAULT_WORDS[m]) for m, key in schemes.WORD_KEYS.items()},
        **values,
    }
    return [
        {"key": key, "value": values.get(key), "What it is": about}
        for key, about in schema.SETTING_ROWS
    ]


def save_new(
    path: Path, rows: dict[str, list[dict[str, object]]], grids: dict[str, layout.Grid]
) -> Path:
    """Write a new tracker atomically; refuses to overwrite an existing file unless it is replaced safely."""
    wb = build_workbook(rows, grids)
    with atomic_write(Path(path)) as tmp:
        wb.save(tmp)
    return Path(path)


def blank_settings(as_at: date | None = None) -> dict[str, object]:
    return {"Class": "Part 1", "As at date": as_at}
