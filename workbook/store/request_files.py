"""Writing update requests: one small protected workbook per owner (openpyxl) and an e-mail draft (.eml) beside it."""

from __future__ import annotations

import copy
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass, replace
from datetime import date, datetime
from email.errors import MessageError
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from ofsted_tracker.workbook.errors import UnusableInput
from ofsted_tracker.workbook.plan import schema, schemes
from ofsted_tracker.workbook.plan.dates import excel_serial, uk
from ofsted_tracker.workbook.rules.chase import (
    ABOUT_KEYS,
    ABOUT_SHEET,
    FILLED,
    FIRST_ROW,
    HEADER_ROW,
    NOTE_ROW,
    REQUEST_SHEET,
    TITLE_ROW,
    Request,
    Requests,
    deadline_shown,
    instructions,
    letter,
    read_only_columns,
)
from ofsted_tracker.workbook.rules.layout import fit_height
from ofsted_tracker.workbook.store.paths import output_folder

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
READ_ONLY_FILL = "E7E6E6"  # grey: the tracker's values, not to be typed over
UK_DATE = "dd/mm/yyyy"


@dataclass(frozen=True)
class Written:
    """One owner's request as written: the request, its workbook and its e-mail draft."""

    request: Request
    workbook: Path
    draft: Path


def _row_values(action, with_measure: bool = False) -> tuple[object, ...]:
    """The read-only values of an action's row on the request, in column order (``read_only_columns``)."""
    return (
        action.action_id,
        action.text,
        *((action.success_measure,) if with_measure else ()),
        deadline_shown(action),
        action.status,
        action.commentary,
    )


def _row_height(values: tuple[object, ...], with_measure: bool = False) -> float:
    """A request row's height: its text's, with room to type commentary."""
    widths = [c.width for c in read_only_columns(with_measure)]
    return max(fit_height([str(v) for v in values], widths) or 15, 45)


def request_workbook(request: Request, tracker: str):
    """The owner's request as an openpyxl workbook: their actions, grey read-only columns, white ones to fill in."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = REQUEST_SHEET
    lead = request.lead
    when = f"period {request.period}, " if request.period else ""
    ws.cell(
        TITLE_ROW,
        1,
        f"Update request for {lead.name or lead.initials} ({lead.initials}): {when}as at "
        f"{uk(request.as_at)}",
    ).font = Font(bold=True, size=14, color="1F4E79")
    columns, measured = request.columns, request.with_measure
    read_only = read_only_columns(measured)
    note = ws.cell(NOTE_ROW, 1, instructions(columns))
    note.alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=NOTE_ROW, start_column=1, end_row=NOTE_ROW, end_column=len(columns))
    ws.row_dimensions[NOTE_ROW].height = 48
    grey = PatternFill("solid", fgColor=READ_ONLY_FILL)
    for j, column in enumerate(columns, start=1):
        cell = ws.cell(HEADER_ROW, j, column.header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[schema.column_letter(j)].width = column.width
    last = FIRST_ROW + len(request.actions) - 1
    for i, action in enumerate(request.actions, start=FIRST_ROW):
        values = _row_values(action, measured)
        for j, value in enumerate(values, start=1):
            cell = ws.cell(i, j, value)
            cell.fill = grey
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # an officer's text stays text, never a formula
            if read_only[j - 1].kind == schema.DATE:
                cell.number_format = UK_DATE
            elif read_only[j - 1].kind == schema.ID:
                cell.number_format = "@"
        for j, column in enumerate(FILLED, start=len(read_only) + 1):
            cell = ws.cell(i, j)
            cell.protection = Protection(locked=False)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if column.kind == schema.DATE:
                cell.number_format = UK_DATE
        ws.row_dimensions[i].height = _row_height(values, measured)
    ws.row_dimensions[HEADER_ROW].height = 30
    if request.actions:
        status = DataValidation(
            type="list",
            formula1='"'
            + ",".join(request.statuses or schemes.DEFAULT_STATUS_WORDS.drop_down())
            + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="New status",
            error="Pick the status from the drop-down list.",
        )
        at = letter("new_status", columns)
        status.add(f"{at}{FIRST_ROW}:{at}{last}")
        ws.add_data_validation(status)
        for column in (c for c in FILLED if c.kind == schema.DATE):
            title, at = column.header, letter(column.field, columns)
            rule = DataValidation(
                type="date",
                operator="between",
                formula1="DATE(2000,1,1)",
                formula2="DATE(2099,12,31)",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=title,
                error="Type a date as dd/mm/yyyy, for example 30/11/2016.",
                showInputMessage=True,
                promptTitle=title,
                prompt="A date, dd/mm/yyyy",
            )
            rule.add(f"{at}{FIRST_ROW}:{at}{last}")
            ws.add_data_validation(rule)
    ws.freeze_panes = f"{letter('text', columns)}{FIRST_ROW}"
    ws.protection.sheet = True
    ws.protection.formatRows = False  # rows may be made taller to read long commentary
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    about = wb.create_sheet(ABOUT_SHEET)
    for i, (key, value) in enumerate(zip(ABOUT_KEYS, _about_values(request, tracker)), start=1):
        about.cell(i, 1, key)
        about.cell(i, 2, value).number_format = "@"
    about.sheet_state = "hidden"
    about.protection.sheet = True
    return wb


def _about_values(request: Request, tracker: str) -> tuple[object, ...]:
    """The hidden About sheet's values, in the order of ``ABOUT_KEYS``."""
    lead = request.lead
    return (
        lead.initials,
        lead.name,
        request.period,
        request.as_at.isoformat(),
        tracker,
        request.request_id,
        request.tracker_id,
    )


def _title(request: Request) -> str:
    """The request sheet's title line."""
    lead = request.lead
    when = f"period {request.period}, " if request.period else ""
    return (
        f"Update request for {lead.name or lead.initials} ({lead.initials}): {when}as at "
        f"{uk(request.as_at)}"
    )


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_SHEETS = ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml")


def _q(tag: str) -> str:
    return f"{{{_MAIN}}}{tag}"


def _set_cell(cell, ref: str, value: object) -> None:
    """Give a cell element (its style kept) ``value``: a date or a number as a number, anything else as an inline
    string (never a formula), blank as no value, as openpyxl writes it."""
    for child in list(cell):
        cell.remove(child)
    cell.set("r", ref)
    if isinstance(value, datetime):
        value = value.date()
    if value is None:
        cell.set("t", "n")
    elif isinstance(value, date):
        cell.set("t", "n")
        _sub(cell, "v").text = str(excel_serial(value))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.set("t", "n")
        _sub(cell, "v").text = repr(value)
    else:
        cell.set("t", "inlineStr")
        text = _sub(_sub(cell, "is"), "t")
        text.text = str(value)
        if text.text != text.text.strip():
            text.set(_XML_SPACE, "preserve")


def _sub(parent, tag: str):
    from lxml import etree  # defers lxml: only requests need it here

    return etree.SubElement(parent, _q(tag))


class _Template:
    """A request workbook made once with openpyxl (the first request, with its first action), filled per owner by
    rewriting only its two sheet parts: every other part (styles, theme, workbook, content types) is the
    template's bytes, so each owner costs a few lxml elements, not an openpyxl workbook (``requests`` stays linear
    and fast at thousands of owners). The cells keep the template's style of their column."""

    def __init__(self, request: Request, tracker: str):
        from lxml import etree  # defers lxml: only requests need it here

        data = io.BytesIO()
        request_workbook(replace(request, actions=request.actions[:1]), tracker).save(data)
        with zipfile.ZipFile(io.BytesIO(data.getvalue())) as package:
            self.parts = [(i, package.read(i)) for i in package.infolist()]
        parts = dict((i.filename, b) for i, b in self.parts)
        self.sheet = etree.fromstring(parts[_SHEETS[0]])
        self.about = etree.fromstring(parts[_SHEETS[1]])
        self.data = self.sheet.find(_q("sheetData"))
        self.prototype = next(r for r in self.data if r.get("r") == str(FIRST_ROW))

    def _sheet(self, request: Request) -> bytes:
        from lxml import etree  # defers lxml: only requests need it here

        sheet = copy.deepcopy(self.sheet)
        data = sheet.find(_q("sheetData"))
        for row in list(data):
            if row.get("r") == str(TITLE_ROW):
                _set_cell(row[0], f"A{TITLE_ROW}", _title(request))
            elif int(row.get("r")) >= FIRST_ROW:
                data.remove(row)
        for i, action in enumerate(request.actions, start=FIRST_ROW):
            row = copy.deepcopy(self.prototype)
            values = _row_values(action, request.with_measure)
            row.set("r", str(i))
            row.set("ht", str(_row_height(values, request.with_measure)))
            for j, cell in enumerate(row):
                value = values[j] if j < len(values) else None
                _set_cell(cell, f"{schema.column_letter(j + 1)}{i}", value)
            data.append(row)
        last = FIRST_ROW + len(request.actions) - 1
        end = letter(FILLED[-1].field, request.columns)
        sheet.find(_q("dimension")).set("ref", f"A1:{end}{last}")
        for rule in sheet.iter(_q("dataValidation")):
            column = rule.get("sqref").split(":")[0].rstrip("0123456789")
            rule.set("sqref", f"{column}{FIRST_ROW}:{column}{last}")
        return etree.tostring(sheet, xml_declaration=False, encoding="utf-8")

    def _about(self, request: Request, tracker: str) -> bytes:
        from lxml import etree  # defers lxml: only requests need it here

        about = copy.deepcopy(self.about)
        rows = about.find(_q("sheetData"))
        for i, (row, value) in enumerate(zip(rows, _about_values(request, tracker)), start=1):
            _set_cell(row[1], f"B{i}", "" if value is None else value)
            if value is None:  # openpyxl writes no value for a blank cell
                _set_cell(row[1], f"B{i}", None)
        return etree.tostring(about, xml_declaration=False, encoding="utf-8")

    def workbook(self, request: Request, tracker: str) -> bytes:
        """The request's .xlsx package."""
        own = {_SHEETS[0]: self._sheet(request), _SHEETS[1]: self._about(request, tracker)}
        data = io.BytesIO()
        with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as package:
            for info, content in self.parts:
                package.writestr(info, own.get(info.filename, content))
        return data.getvalue()


class _Headers(HeaderRegistry):
    """The standard header registry, each header's class made once (the library's makes a new class for every
    header it parses: the larger part of a draft's cost at thousands of owners)."""

    def __init__(self):
        super().__init__()
        self._made: dict[str, type] = {}

    def __getitem__(self, name):
        key = name.lower()
        if key not in self._made:
            self._made[key] = super().__getitem__(name)
        return self._made[key]


DRAFT_POLICY = SMTP.clone(header_factory=_Headers())


def draft(
    request: Request, attachment: bytes, attachment_name: str, council: str = ""
) -> EmailMessage:
    """The e-mail draft to the owner with the request attached (``X-Unsent: 1``: Outlook opens it as a draft)."""
    lead = request.lead
    message = EmailMessage(policy=DRAFT_POLICY)
    when = request.period or f"as at {uk(request.as_at)}"
    plan = f"{council} improvement plan" if council else "Improvement plan"
    for header, value, cell, what in (
        (
            "To",
            lead.email.strip(),
            request.email_cell,
            "Email, which must be one address such as name@council.gov.uk",
        ),
        (
            "Subject",
            f"{plan}: update request for {when} ({lead.initials})",
            request.initials_cell,
            "Initials, which must be one line of letters",
        ),
    ):
        if not value:
            continue
        try:
            message[header] = value
        except (ValueError, IndexError, MessageError) as exc:
            raise UnusableInput(
                f"{cell or f'Leads row {lead.row}'}: the e-mail draft to {lead.initials!r} cannot be "
                f"made ({exc}): check the lead's {what}. Nothing was written.",
                cell,
            ) from exc
    message["X-Unsent"] = "1"
    ids = ", ".join(a.action_id for a in request.actions)
    message.set_content(
        f"Dear {lead.name or lead.initials},\n\n"
        f"Please update your actions of the improvement plan ({ids}) in the attached workbook: the new status, the "
        "date of completion, your commentary, and any proposed new deadline with its reason. Fill in only the white "
        "columns, save the file and send it back by replying to this e-mail.\n\n"
        + (
            "Beside each action is what success looks like, as the plan states it (read-only).\n\n"
            if request.with_measure
            else ""
        )
        + "Thank you.\n"
    )
    message.add_attachment(
        attachment, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=attachment_name
    )
    return message


def write_requests(
    requests: Requests, folder: Path, tracker: str, council: str = ""
) -> tuple[Written, ...]:
    """Write each owner's request workbook and its e-mail draft into ``folder``: all of them, or none.

    Every workbook and draft is made in memory first, so a lead whose row cannot make one (a line break in the
    initials, say) stops the run before any file is written. The files are then written into a hidden folder
    inside ``folder`` and renamed into place, so a failure while writing leaves ``folder`` as it was.
    """
    made = []
    template = None
    for request in requests.requests:
        if not request.actions:  # no rows to fill: the workbook made whole
            data = io.BytesIO()
            request_workbook(request, tracker).save(data)
            book = data.getvalue()
        else:
            template = template or _Template(request, tracker)
            book = template.workbook(request, tracker)
        mail = draft(request, book, request.file_name, council).as_bytes()
        made.append((request, ((request.file_name, book), (f"{request.file_stem}.eml", mail))))
    output_folder(folder)
    with tempfile.TemporaryDirectory(prefix=".partial-", dir=folder) as partial:
        for _, files in made:
            for name, content in files:
                (Path(partial) / name).write_bytes(content)
        for _, files in made:  # one folder, one file system: each move is a rename
            for name, _ in files:
                os.replace(Path(partial) / name, folder / name)
    return tuple(
        Written(request, folder / files[0][0], folder / files[1][0]) for request, files in made
    )
