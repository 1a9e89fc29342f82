"""Issue 22, finding 16: a lab file is read within caps -- bytes, unpacked XLSX size, rows and
columns -- streamed from the sheet (openpyxl read-only), and refused whole with the cap named,
so the watched folder moves it to quarantine instead of a process growing to 900 MB."""

from __future__ import annotations

import io
import zipfile

import openpyxl

from stations.collectors.lab_files import (
    LAB_MAX_BYTES,
    LAB_MAX_COLUMNS,
    LAB_MAX_ROWS,
    parse_lab_file,
)

HEADER = ["序号", "断面名称", "采样日期", "pH", "溶解氧"]


def _xlsx(cells: dict[tuple[int, int], object]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for col, name in enumerate(HEADER, start=1):
        ws.cell(row=1, column=col, value=name)
    for (row, col), value in cells.items():
        ws.cell(row=row, column=col, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _reason(raw: bytes) -> str:
    parsed = parse_lab_file(raw)
    assert parsed.samples.empty
    [rejected] = parsed.rejected
    assert rejected.field == "payload"
    return rejected.reason


def test_a_sheet_reaching_far_down_is_refused_naming_the_row_cap() -> None:
    raw = _xlsx({(2, 2): "定海", (LAB_MAX_ROWS + 50, 1): "x"})  # small file, far-away cell
    assert len(raw) < 50_000
    assert "LAB_MAX_ROWS" in _reason(raw) and str(LAB_MAX_ROWS) in _reason(raw)


def test_cells_beyond_the_column_cap_are_not_read() -> None:
    raw = _xlsx({(2, 2): "定海", (2, 3): "2026-05-03", (2, 16_000): "far right"})
    parsed = parse_lab_file(raw)
    assert all("far right" not in r.row for r in parsed.rejected)
    assert LAB_MAX_COLUMNS < 16_000


def test_a_file_over_the_byte_cap_is_refused() -> None:
    raw = b"\xef\xbb\xbf" + ",".join(HEADER).encode() + b"\n" + b"x" * (LAB_MAX_BYTES + 1)
    reason = _reason(raw)
    assert "LAB_MAX_BYTES" in reason and str(LAB_MAX_BYTES) in reason


def test_an_xlsx_unpacking_past_the_cap_is_refused_before_parsing() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (150 * 1024 * 1024))
    raw = buffer.getvalue()
    assert len(raw) < 1024 * 1024
    assert "unpacks to" in _reason(raw)


def test_a_csv_over_the_row_cap_is_refused() -> None:
    raw = (",".join(HEADER) + "\n" + "1,定海,2026-05-03,7.1,6.0\n" * (LAB_MAX_ROWS + 1)).encode()
    assert str(LAB_MAX_ROWS) in _reason(raw)
