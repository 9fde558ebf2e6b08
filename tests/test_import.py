"""ofsted-tracker import: the demo plan as a Word appendix, a spreadsheet and a CSV gives the demo's figures."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from datetime import date

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from openpyxl.styles import PatternFill

from ofsted_tracker.cli import app
from ofsted_tracker.workbook.demo import PERIODS, demo_rows
from ofsted_tracker.workbook.errors import UnusableInput
from ofsted_tracker.workbook.importer.build import import_plan, read_mapping, write_tracker
from ofsted_tracker.workbook.jobs import open_summary

FILLS = {"G": "00B050", "A": "FFC000", "R": "FF0000"}
AS_AT = date(2016, 10, 31)
MAPPING_EXTRA = '\n[settings]\n"Reporting period" = "Q2"\n' + "".join(
    f'\n[[periods]]\nname = "{n}"\nstart = "{s:%d/%m/%Y}"\nend = "{e:%d/%m/%Y}"\n'
    for n, s, e in PERIODS
)


def typed(value):
    """A date as a council types it in Word ("31st July 2016"); text kept as printed."""
    if not isinstance(value, date):
        return str(value or "")
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}.get(
        value.day, "th"
    )
    return f"{value.day}{suffix} {value:%B %Y}"


def plan():
    rows = demo_rows()
    return rows["Recommendations"], rows["Actions"]


def shade(cell, fill):
    pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:fill"), fill)
    pr.append(shd)


HEADER = [
    "Ref",
    "Actions",
    "Lead officer",
    "Target date",
    "Revised deadline",
    "Progress status",
    "RAG",
    "Progress update",
]


def word_plan(path, header_every=20):
    recs, actions = plan()
    document = docx.Document()
    document.add_paragraph("Appendix 1: Ofsted improvement plan")
    table = document.add_table(rows=0, cols=len(HEADER))
    cells = table.add_row().cells
    for c, text in zip(cells, HEADER):
        c.text = text
    n = 0
    for rec in recs:
        row = table.add_row().cells
        merged = row[0].merge(row[-1])
        merged.text = f"Recommendation {rec['rec_id']}: {rec['text']}"
        for a in (a for a in actions if a["rec_id"] == rec["rec_id"]):
            n += 1
            if n % header_every == 0:  # the header repeated on a new page
                for c, text in zip(table.add_row().cells, HEADER):
                    c.text = text
            row = table.add_row().cells
            revised = a["current_deadline"] != a["original_deadline"]
            values = [
                a["action_id"],
                a["text"],
                a["owners"],
                typed(a["original_deadline"]),
                typed(a["current_deadline"]) if revised else "",
                a["status"],
                "",
                "",
            ]
            for c, v in zip(row, values):
                c.text = v
            commentary = str(a.get("commentary") or "")
            if commentary:
                row[7].text = ""
                row[7].paragraphs[0].text = commentary
                row[7].add_paragraph("Next update due at Q3.")
            shade(row[6], FILLS[a["recorded_rag"]])
    document.save(path)
    return path


def sheet_plan(path):
    recs, actions = plan()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Plan"
    ws.append(["Lewisham improvement plan 2016"])  # a title row above the header
    ws.append(
        [
            "Action No",
            "Rec",
            "What we will do",
            "Owner",
            "Due date",
            "New date",
            "Status",
            "Rating",
            "Comments",
        ]
    )
    for a in actions:
        revised = a["current_deadline"] != a["original_deadline"]
        ws.append(
            [
                a["action_id"],
                a["rec_id"],
                a["text"],
                a["owners"],
                a["original_deadline"],
                a["current_deadline"] if revised else None,
                a["status"],
                None,
                a.get("commentary") or None,
            ]
        )
        ws.cell(ws.max_row, 8).fill = PatternFill("solid", fgColor="FF" + FILLS[a["recorded_rag"]])
    wb.save(path)
    return path


def csv_plan(path, delimiter=";", encoding="cp1252"):
    recs, actions = plan()
    with open(path, "w", newline="", encoding=encoding, errors="replace") as handle:
        w = csv.writer(handle, delimiter=delimiter)
        w.writerow(
            [
                "ID",
                "Recommendation",
                "Task",
                "Responsible",
                "Deadline",
                "Current deadline",
                "Progress",
                "RAG",
            ]
        )
        for a in actions:
            revised = a["current_deadline"] != a["original_deadline"]
            w.writerow(
                [
                    a["action_id"],
                    a["rec_id"],
                    a["text"],
                    a["owners"],
                    typed(a["original_deadline"]),
                    typed(a["current_deadline"]) if revised else "",
                    a["status"],
                    a["recorded_rag"],
                ]
            )
    return path


def mapping_file(tmp_path, imported):
    path = tmp_path / "map.toml"
    path.write_text(imported.as_dict()["mapping_file"] + MAPPING_EXTRA, encoding="utf-8")
    return path


def demo_figures(tracker):
    s = open_summary(tracker, AS_AT, "Q2")
    o, p = s.overall, s.period
    return (
        len(s.plan.actions),
        (len(o.completed), len(o.ongoing), len(o.not_completed), len(o.not_rated)),
        (len(p.due), len(p.completed), len(p.not_completed)),
    )


DEMO = (61, (37, 10, 13, 1), (17, 14, 3))


@pytest.mark.parametrize("make", [word_plan, sheet_plan, csv_plan], ids=["word", "excel", "csv"])
def test_the_demo_plan_imports_with_the_demo_figures(tmp_path, make):
    source = make(
        tmp_path
        / {"word_plan": "plan.docx", "sheet_plan": "plan.xlsx"}.get(make.__name__, "plan.csv")
    )
    preview = import_plan(source)
    assert preview.counts()["actions"] == 61
    assert preview.counts()["revisions"] == len(demo_rows()["Revisions"])
    imported = import_plan(source, read_mapping(mapping_file(tmp_path, preview)), as_at=AS_AT)
    tracker = tmp_path / "t.xlsx"
    summary = write_tracker(imported, tracker)
    assert summary is not None
    assert demo_figures(tracker) == DEMO


def test_word_reading_shading_merged_rows_repeated_headers_and_paragraphs(tmp_path):
    imported = import_plan(word_plan(tmp_path / "plan.docx"))
    assert imported.from_shading == 61
    assert len(imported.rows["Recommendations"]) == len(plan()[0])
    assert imported.rows["Recommendations"][0]["text"].startswith("Review processes")
    first = imported.rows["Actions"][0]
    assert first["original_deadline"] == date(
        2016, 7, 31
    )  # "31st July 2016" read by the one date reader
    assert first["recorded_rag"] == "G"
    assert "\nNext update due at Q3." in first["commentary"]
    assert (
        first["owners"] == "PK"
        and {"initials": "PK", "name": "Paul King"} in imported.rows["Leads"]
    )
    assert any('column "Target date"' in u and "31st April 2016" in u for u in imported.unreadable)


def test_a_cell_it_cannot_read_is_kept_as_typed_and_becomes_a_finding(tmp_path):
    imported = import_plan(word_plan(tmp_path / "plan.docx"), as_at=AS_AT)
    a71 = next(a for a in imported.rows["Actions"] if a["action_id"] == "7.1")
    assert a71["original_deadline"] == "31st April 2016"
    write_tracker(imported, tmp_path / "t.xlsx")
    findings = open_summary(tmp_path / "t.xlsx").findings
    assert any(
        f.action_id == "7.1" and f.code == "date" and f.where.startswith("Actions!E")
        for f in findings
    )


def test_excel_cells_are_located_as_sheet_references(tmp_path):
    imported = import_plan(sheet_plan(tmp_path / "plan.xlsx"))
    assert imported.choice.header_rows == {"Plan": 2}
    assert any(u.startswith("Plan!E") for u in imported.unreadable)


def test_the_mapping_file_edited_changes_exactly_what_it_says(tmp_path):
    source = word_plan(tmp_path / "plan.docx")
    before = import_plan(source)
    text = before.as_dict()["mapping_file"]
    assert '"Progress update" = "Progress commentary"' in text and "[skip]" in text
    same = tmp_path / "same.toml"
    same.write_text(text, encoding="utf-8")
    assert import_plan(source, read_mapping(same)).rows == before.rows
    edited = tmp_path / "edited.toml"
    edited.write_text(
        text.replace('"Progress update" = "Progress commentary"', '"Progress update" = "ignore"')
        .replace("[skip]", '[skip]\n"table 1" = [3]', 1)
        .replace("[colours]", '[colours]\n"FFC000" = "R"', 1),
        encoding="utf-8",
    )
    after = import_plan(source, read_mapping(edited))
    skipped = before.rows["Actions"][0]  # row 3: row 1 is the header, row 2 recommendation 1
    expected = [
        {
            **{k: v for k, v in a.items() if k != "commentary"},
            **({"recorded_rag": "R"} if a["recorded_rag"] == "A" else {}),
        }
        for a in before.rows["Actions"]
        if a is not skipped
    ]
    assert after.rows["Actions"] == expected
    assert any(a["recorded_rag"] == "A" for a in before.rows["Actions"])


def test_preview_writes_nothing_and_json_gives_the_same(tmp_path):
    source = csv_plan(tmp_path / "plan.csv", delimiter=",", encoding="utf-8")
    result = CliRunner().invoke(app, ["import", str(source)])
    assert result.exit_code == 0, result.output
    assert "61 actions" in result.output and '"Task" = "Action"' in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.csv"]
    data = json.loads(CliRunner().invoke(app, ["import", str(source), "--json"]).output)
    assert data["actions"] == 61 and data["scheme"] == "RAG"


def test_out_makes_a_tracker_and_refuses_to_overwrite(tmp_path):
    source = csv_plan(tmp_path / "plan.csv")
    out = tmp_path / "t.xlsx"
    args = ["import", str(source), "--out", str(out), "--as-of", "31/10/2016", "--scheme", "BRAG"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "findings" in result.output and "Green" in result.output
    assert open_summary(out).plan.brag
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 2 and "--force" in again.output
    assert CliRunner().invoke(app, args + ["--force"]).exit_code == 0


def _refused(path, words):
    with pytest.raises(UnusableInput) as caught:
        import_plan(path)
    assert words in str(caught.value)
    return caught.value


def test_bad_inputs_are_one_line_and_write_nothing(tmp_path):
    ole = tmp_path / "locked.docx"
    ole.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600)
    _refused(ole, "password-protected")
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    _refused(damaged, "damaged")
    macros = tmp_path / "macros.xlsm"
    with zipfile.ZipFile(macros, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/vbaProject.bin", b"\0" * 10)
    _refused(macros, "macros")
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"\0" * (64 * 2**20))
    _refused(bomb, "zip bomb")
    nothing = tmp_path / "letter.docx"
    document = docx.Document()
    document.add_paragraph("Dear colleague")
    t = document.add_table(rows=1, cols=2)
    t.rows[0].cells[0].text, t.rows[0].cells[1].text = "Name", "Phone"
    document.save(nothing)
    message = str(_refused(nothing, "No table looks like a plan"))
    assert "table 1: Name | Phone" in message
    two = tmp_path / "two.csv"
    two.write_text(
        "Ref,Action,Deadline,Target date\n1.1,Do it,1/1/2017,2/1/2017\n", encoding="utf-8"
    )
    _refused(two, "both look like Original deadline")
    ambiguous = tmp_path / "amb.csv"
    ambiguous.write_text("Ref,Action,Progress status and RAG\n1.1,Do it,G\n", encoding="utf-8")
    _refused(ambiguous, "could be Progress status or Recorded RAG")
    result = CliRunner().invoke(app, ["import", str(ole), "--out", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "t.xlsx").exists()


def test_two_different_action_tables_are_named(tmp_path):
    path = tmp_path / "two.docx"
    document = docx.Document()
    for header in (["Ref", "Action", "Lead"], ["No.", "Task", "Deadline"]):
        t = document.add_table(rows=2, cols=3)
        for c, text in zip(t.rows[0].cells, header):
            c.text = text
        for c, text in zip(t.rows[1].cells, ["1.1", "Do it", "PK"]):
            c.text = text
    document.save(path)
    _refused(path, "table 1 and table 2 both look like the action table")


def test_the_tools_own_report_appendix_imports_back(demo_tracker, tmp_path):
    from ofsted_tracker.report_builder import build_report
    from ofsted_tracker.workbook.jobs import report

    written = report(demo_tracker, tmp_path / "report.docx", build_report).written
    with pytest.raises(UnusableInput) as caught:
        import_plan(written)
    assert "both look like the action table" in str(caught.value)
    appendix = re.search(r'Progress status \| By whom \| RAG": ([^)]*)\)', str(caught.value))[1]
    labels = appendix.split(", ")
    assert len(labels) == 9  # one table of actions per recommendation
    mapping = tmp_path / "map.toml"
    mapping.write_text("tables = [" + ", ".join(f'"{x}"' for x in labels) + "]\n", encoding="utf-8")
    imported = import_plan(written, read_mapping(mapping), as_at=AS_AT)
    summary = open_summary(demo_tracker)
    original = summary.plan
    names = {lead["initials"]: lead["name"] for lead in imported.rows["Leads"]}
    back = {a["action_id"]: a for a in imported.rows["Actions"]}
    assert sorted(back) == sorted(a.action_id for a in original.actions)
    for a in original.actions:
        got = back[a.action_id]
        assert got["text"] == a.text
        assert got["recorded_rag"] == (
            summary.ratings[a.action_id] or "NR"
        )  # the report prints the rule's
        initials = [
            o if re.fullmatch(r"[A-Z]{1,3}[a-z]?", o) else "".join(w[0] for w in o.split())
            for o in a.owners
        ]
        assert (
            got["owners"].split("/") == initials
        )  # the report prints a lead's name, the import makes initials
        assert all(i in names for i in initials)
        assert got["original_deadline"] == (
            a.original_raw or a.original_deadline
        )  # text kept as typed
        assert got.get("current_deadline", got["original_deadline"]) == (
            a.current_raw or a.current_deadline or a.original_raw or a.original_deadline
        )
        assert (
            got["status"] == a.status
        )  # the appendix's Progress status column, as the officer wrote it


def test_leads_from_owner_cells_keep_initials_and_name_collisions(tmp_path):
    source = tmp_path / "plan.csv"
    source.write_text(
        "Ref,Action,Owner,Deadline\n1.1,A,Paul King,1/1/2017\n1.2,B,Peter Kay/SK,1/1/2017\n1.3,C,SK,1/1/2017\n",
        encoding="utf-8",
    )
    imported = import_plan(source)
    assert imported.rows["Leads"] == [
        {"initials": "PK", "name": "Paul King"},
        {"initials": "PK2", "name": "Peter Kay"},
        {"initials": "SK", "name": "SK"},
    ]
    assert [a["owners"] for a in imported.rows["Actions"]] == ["PK", "PK2/SK", "SK"]
    assert imported.collisions == ["Paul King and Peter Kay both make PK: Peter Kay is PK2."]


def test_the_success_measure_column_goes_to_what_does_success_look_like(tmp_path):
    source = tmp_path / "plan.csv"
    source.write_text(
        "Ref,Action,Lead,Deadline,Status,What does success look like?\n"
        "1.1,Audit files,SK,31/12/2016,On track,Every file audited monthly\n"
        "1.2,Train staff,SK,31/12/2016,On track,\n",
        encoding="utf-8",
    )
    imported = import_plan(source, as_at=AS_AT)
    assert ("What does success look like?", 6) in [
        (m["field"], m["column"]) for m in imported.as_dict()["mapping"]
    ]
    write_tracker(imported, tmp_path / "t.xlsx")
    actions = {a.action_id: a for a in open_summary(tmp_path / "t.xlsx").plan.actions}
    assert actions["1.1"].success_measure == "Every file audited monthly"
    assert actions["1.2"].success_measure == ""
    outcome = tmp_path / "outcome.csv"
    outcome.write_text("Ref,Task,Outcome\n1.1,Do it,Fewer re-referrals\n", encoding="utf-8")
    assert import_plan(outcome).rows["Actions"][0]["success_measure"] == "Fewer re-referrals"


def test_blank_ids_are_given_by_the_fix_ids_rule_listed_in_the_preview_and_the_findings(tmp_path):
    source = tmp_path / "plan.csv"
    source.write_text(
        "Rec,Ref,Action,Lead,Deadline,Status\n"
        "3,3.3,Panel,SK,31/12/2016,On track\n"
        "3,,Set up a panel for every case,SK,31/12/2016,On track\n"
        "2.01,2.01.02,Audit,SK,31/12/2016,On track\n"
        "2.01,,Audit again,SK,31/12/2016,On track\n",
        encoding="utf-8",
    )
    preview = import_plan(source)
    assert [a["action_id"] for a in preview.rows["Actions"]] == ["3.3", "3.4", "2.01.02", "2.01.03"]
    lines = preview.lines()
    assert "  plan.csv, row 3: id 3.4 given to 'Set up a panel for every case'" in lines
    assert "  plan.csv, row 5: id 2.01.03 given to 'Audit again'" in lines
    data = preview.as_dict()
    assert data["ids_made"] == 2
    assert data["ids_given"][0] == {
        "id": "3.4",
        "source": "plan.csv, row 3",
        "action": "Set up a panel for every case",
    }
    out = tmp_path / "t.xlsx"
    result = CliRunner().invoke(
        app, ["import", str(source), "--out", str(out), "--as-of", "31/10/2016"]
    )
    assert result.exit_code == 0, result.output
    assert "2 actions had no Action ID and now have one (given at import" in result.output
    assert "Actions!A3: id 3.4 given to 'Set up a panel for every case'" in result.output
    written = {a.action_id: a.row for a in open_summary(out).plan.actions}
    assert written["3.4"] == 3 and written["2.01.03"] == 5  # the cells the finding names
    summary = write_tracker(import_plan(source, as_at=AS_AT), out, force=True)
    assert [f.code for f in summary.findings if f.code == "ids-given"] == ["ids-given"]
    # a plan with every id given has no such finding
    whole = tmp_path / "whole.csv"
    whole.write_text("Ref,Action\n1.1,Do it\n", encoding="utf-8")
    assert import_plan(whole).ids_given == []


def other_council(path, status_b="Work in progress"):
    """A plan in another council's conventions: ids like 2.01.02, its own status words, Ongoing deadlines,
    organisations and titled people as owners, two-digit years."""
    document = docx.Document()
    table = document.add_table(rows=0, cols=6)
    rows = [
        ["Action No", "What we will do", "By whom", "By when", "Progress", "RAG"],
        ["Priority 2: Partnership working", "", "", "", "", ""],
        ["2.01.01", "Agree the protocol", "Health and Wellbeing Board", "30/11/16", "On track", ""],
        ["2.01.02", "Joint audits", "LA and ICB", "31st December 2016", status_b, ""],
        ["2.01.10", "Multi-agency training", "Dr Jane Smith", "Ongoing", "Business as usual", ""],
        [
            "2.02.01",
            "Missing children protocol",
            "DCI Tom Brown / Metropolitan Police",
            "31/3/17",
            "Delayed",
            "",
        ],
        [
            "2.02.02",
            "Old panel",
            "Jane Smith with support from all partners",
            "30/9/16",
            "Superseded",
            "",
        ],
    ]
    for values in rows:
        cells = table.add_row().cells
        if values[1] == "":
            cells[0].merge(cells[-1]).text = values[0]
            continue
        for c, v in zip(cells, values):
            c.text = v
        shade(cells[5], FILLS["A"] if values[4] != "Superseded" else "FFFFFF")
    document.save(path)
    return path


def test_another_councils_conventions_import_with_no_convention_errors(tmp_path):
    source = other_council(tmp_path / "plan.docx")
    preview = import_plan(source, as_at=AS_AT)
    assert (
        preview.unreadable == []
    )  # "Ongoing" and "30/11/16" are read by the tracker's own readers
    assert preview.unknown_words == {}
    by_id = {a["action_id"]: a for a in preview.rows["Actions"]}
    assert by_id["2.01.10"]["original_deadline"] == "Ongoing"
    assert by_id["2.01.01"]["original_deadline"] == date(2016, 11, 30)
    assert by_id["2.01.01"]["owners"] == "Health and Wellbeing Board"
    assert by_id["2.01.02"]["owners"] == "LA/ICB"
    assert by_id["2.01.10"]["owners"] == "JS"
    assert by_id["2.02.01"]["owners"] == "TB/Metropolitan Police"
    assert by_id["2.02.02"]["owners"] == "JS with support from all partners"
    leads = preview.rows["Leads"]
    assert {"name": "Health and Wellbeing Board"} in leads and {
        "name": "Metropolitan Police"
    } in leads
    assert {"initials": "JS", "name": "Dr Jane Smith"} in leads
    out = tmp_path / "t.xlsx"
    summary = write_tracker(preview, out)
    assert [f.message for f in summary.findings if f.severity == "error"] == []
    plan_ = summary.plan
    assert [a.action_id for a in plan_.no_end_date] == ["2.01.10"]
    assert {a.action_id: a.owners for a in plan_.actions}["2.02.01"] == (
        "TB",
        "Metropolitan Police",
    )
    assert not [f for f in summary.findings if f.code.startswith("owner")]


def test_a_status_word_the_tracker_does_not_know_is_named_and_the_mapping_places_it(tmp_path):
    source = other_council(tmp_path / "plan.docx", status_b="Slipping")
    preview = import_plan(source, as_at=AS_AT)
    assert preview.unknown_words == {"Slipping": 1}
    note = preview.words_note()
    assert "'Slipping' (1 action)" in note
    assert '"Words for at risk" = "At risk, Delayed, Behind, Slipping"' in note
    summary = write_tracker(preview, tmp_path / "t.xlsx")
    assert [f.where for f in summary.findings if f.severity == "error"] == ["Actions!G3"]
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        preview.as_dict()["mapping_file"]
        + '\n[settings]\n"Words for at risk" = "At risk, Delayed, Behind, Slipping"\n',
        encoding="utf-8",
    )
    placed = import_plan(source, read_mapping(mapping), as_at=AS_AT)
    assert placed.unknown_words == {}
    summary = write_tracker(placed, tmp_path / "u.xlsx")
    assert [f for f in summary.findings if f.severity == "error"] == []


def test_a_100_mb_source_is_refused_unread(tmp_path):
    big = tmp_path / "huge.docx"
    with big.open("wb") as handle:
        handle.truncate(101 * 2**20)
    _refused(big, "far more than any plan")
    result = CliRunner().invoke(app, ["import", str(big), "--out", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert not (tmp_path / "t.xlsx").exists()


def test_an_imported_tracker_is_an_ordinary_tracker(tmp_path):
    from ofsted_tracker.report_builder import build_report
    from ofsted_tracker.workbook import jobs

    source = word_plan(tmp_path / "plan.docx")
    preview = import_plan(source)
    imported = import_plan(source, read_mapping(mapping_file(tmp_path, preview)), as_at=AS_AT)
    tracker = tmp_path / "t.xlsx"
    write_tracker(imported, tracker)
    assert demo_figures(jobs.refresh(tracker).plan and tracker) == DEMO
    sent = jobs.send_requests(tracker, tmp_path / "requests")
    assert sent.written and all(w.workbook.exists() for w in sent.written)
    done = jobs.report(tracker, tmp_path / "report.docx", build_report, today=AS_AT)
    assert done.written.exists() and done.not_recorded is None
    assert done.recorded.snapshot.period == "Q2" and len(done.recorded.snapshot.rows) == 61
    assert demo_figures(tracker) == DEMO


def test_a_csv_cell_of_several_lines_keeps_its_line_breaks(tmp_path):
    source = tmp_path / "plan.csv"
    source.write_bytes(
        b'Ref,Action,Update\r\n1.1,Do it,"First line\r\nSecond line"\r\n1.2,Then this,\r\n'
    )
    actions = import_plan(source).rows["Actions"]
    assert [a["action_id"] for a in actions] == ["1.1", "1.2"]
    assert actions[0]["commentary"].splitlines() == ["First line", "Second line"]


def test_an_excel_fill_from_the_old_palette_is_read_as_its_rag_letter(tmp_path):
    from openpyxl.styles.colors import Color

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Ref", "Action", "RAG"])
    for ref, index in (("1.1", 10), ("1.2", 52), ("1.3", 17)):  # red, orange, green in the palette
        ws.append([ref, f"Action {ref}", None])
        ws.cell(ws.max_row, 3).fill = PatternFill("solid", fgColor=Color(indexed=index))
    wb.save(tmp_path / "plan.xlsx")
    imported = import_plan(tmp_path / "plan.xlsx")
    assert [a["recorded_rag"] for a in imported.rows["Actions"]] == ["R", "A", "G"]
    assert imported.from_shading == 3


def test_a_word_cell_merged_down_gives_each_action_its_value_and_theme_rows_start_recommendations(
    tmp_path,
):
    document = docx.Document()
    t = document.add_table(rows=4, cols=3)
    for c, v in zip(t.rows[0].cells, ["Ref", "Action", "Lead"]):
        c.text = v
    t.cell(1, 0).merge(t.cell(1, 2)).text = "Theme 2 \u2013 Partnership working"
    for r, (ref, text) in enumerate((("2.1", "A"), ("2.2", "B")), 2):
        t.cell(r, 0).text, t.cell(r, 1).text = ref, text
    t.cell(2, 2).merge(t.cell(3, 2)).text = "PK"  # one Lead cell for both actions
    document.save(tmp_path / "plan.docx")
    imported = import_plan(tmp_path / "plan.docx")
    assert [(a["action_id"], a["owners"]) for a in imported.rows["Actions"]] == [
        ("2.1", "PK"),
        ("2.2", "PK"),
    ]
    assert imported.rows["Recommendations"] == [{"rec_id": "2", "text": "Partnership working"}]


def test_a_mapping_line_that_matches_nothing_is_refused_not_ignored(tmp_path):
    source = csv_plan(tmp_path / "plan.csv", delimiter=",", encoding="utf-8")
    text = import_plan(source).as_dict()["mapping_file"]
    typo = tmp_path / "typo.toml"
    typo.write_text(text.replace('"Task" = "Action"', '"Taks" = "Action"'), encoding="utf-8")
    with pytest.raises(UnusableInput) as caught:
        import_plan(source, read_mapping(typo))
    assert '[columns] names "Taks", which no header of plan.csv has' in str(caught.value)
    skip = tmp_path / "skip.toml"
    skip.write_text(text.replace("[skip]", '[skip]\n"table 9" = [3]', 1), encoding="utf-8")
    with pytest.raises(UnusableInput) as caught:
        import_plan(source, read_mapping(skip))
    assert '[skip] names "table 9"' in str(caught.value)


def test_the_scheme_is_read_by_the_one_reader_from_the_option_or_the_mapping_settings(tmp_path):
    source = tmp_path / "plan.csv"
    source.write_text("Ref,Action,Status\n1.1,Do it,Complete\n", encoding="utf-8")
    assert import_plan(source, scheme="RAG+C").scheme == "RAG + Completed"
    imported = import_plan(source, {"settings": {"Rating scheme": "days behind"}})
    assert (imported.scheme, imported.scheme_assumed) == ("Days behind", False)
    assert "Scheme: Days behind." in "\n".join(imported.lines())
    assert import_plan(source).scheme_assumed
    with pytest.raises(UnusableInput, match="--scheme Traffic lights: the tracker knows RAG, BRAG"):
        import_plan(source, scheme="Traffic lights")


def test_a_damaged_word_table_or_excel_sheet_is_one_line_naming_it(tmp_path):
    path = tmp_path / "bad.docx"
    document = docx.Document()
    t = document.add_table(rows=2, cols=2)
    t.rows[0].cells[0].text, t.rows[0].cells[1].text = "Ref", "Action"
    span = OxmlElement("w:gridSpan")
    span.set(qn("w:val"), "x")  # not a number
    t.rows[1].cells[0]._tc.get_or_add_tcPr().append(span)
    document.save(path)
    _refused(path, "bad.docx: table 1 is damaged and cannot be read")
    sheet = tmp_path / "bad.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Plan"
    wb.active.append(["Ref", "Action"])
    wb.save(sheet)
    with zipfile.ZipFile(sheet) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"<sheetData>", b"<sheetData><row r='x'><c r='A1' t='n'><v>oops</v></c></row>", 1
    )
    with zipfile.ZipFile(sheet, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    result = CliRunner().invoke(app, ["import", str(sheet)])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "bad.xlsx" in result.output and "damaged" in result.output


def test_the_reports_appendix_with_success_measures_imports_them_back(tmp_path):
    from ofsted_tracker.report_builder import build_report
    from ofsted_tracker.workbook import jobs

    rows = demo_rows()
    for n, a in enumerate(rows["Actions"]):
        a["success_measure"] = f"Measure {n}" if n % 2 else ""
    tracker = jobs.new_tracker(tmp_path / "t.xlsx", rows)
    written = jobs.report(tracker, tmp_path / "r.docx", build_report, AS_AT, "Q2").written
    with pytest.raises(UnusableInput) as caught:
        import_plan(written)
    shape = re.search(
        r'"Ref \| Action \| What does success look like\?[^"]*": ([^;)]*)', str(caught.value)
    )
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        "tables = [" + ", ".join(f'"{x}"' for x in shape[1].split(", ")) + "]\n", encoding="utf-8"
    )
    back = {a["action_id"]: a for a in import_plan(written, read_mapping(mapping)).rows["Actions"]}
    assert len(back) == 61
    for a in rows["Actions"]:
        assert back[a["action_id"]].get("success_measure", "") == a["success_measure"]
