"""``requests`` at many owners: each owner's workbook filled from one template holds what openpyxl would have made
of it, cell for cell, and the time grows with the owners, not faster."""

from __future__ import annotations

import io
import time
import zipfile

from python_calamine import CalamineWorkbook

from bench.requests import owners_tracker
from ofsted_tracker.workbook.jobs import planned_requests, with_request_ids
from ofsted_tracker.workbook.store.request_files import request_workbook, write_requests


def _sheets(data: bytes) -> dict[str, list[list[object]]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_a_request_filled_from_the_template_reads_as_the_whole_openpyxl_workbook(tmp_path):
    tracker = owners_tracker(tmp_path / "tracker.xlsx", 3)
    summary, requests = planned_requests(tracker)
    requests = with_request_ids(requests)
    written = write_requests(requests, tmp_path / "out", "tracker.xlsx")
    assert len(written) == 3
    for w in written:
        whole = io.BytesIO()
        request_workbook(w.request, "tracker.xlsx").save(whole)
        assert _sheets(w.workbook.read_bytes()) == _sheets(whole.getvalue())
        with zipfile.ZipFile(w.workbook) as package:  # a valid package, its sheets well-formed
            assert package.testzip() is None
            sheet = package.read("xl/worksheets/sheet1.xml").decode()
        last = 4 + len(w.request.actions)
        assert f'<dimension ref="A1:J{last}"/>' in sheet
        assert f'sqref="F5:F{last}"' in sheet and f'sqref="I5:I{last}"' in sheet
    titles = {_sheets(w.workbook.read_bytes())["Update request"][0][0] for w in written}
    assert len(titles) == 3  # each owner's own title, not the template's


def test_requests_time_grows_linearly_with_the_owners(tmp_path):
    def seconds(owners: int) -> float:
        tracker = owners_tracker(tmp_path / f"tracker{owners}.xlsx", owners)
        _, requests = planned_requests(tracker)
        requests = with_request_ids(requests)
        start = time.perf_counter()
        write_requests(requests, tmp_path / f"out{owners}", "tracker.xlsx")
        return time.perf_counter() - start

    small, large = seconds(50), seconds(200)
    assert large / small < 10  # four times the owners: linear is 4, a generous bound
