"""Reading and writing spreadsheets safely: .xlsx and .csv in, .xlsx out.

Reading streams row by row (openpyxl's read-only mode, csv's reader), so memory does not grow with
the file; a file that is not what it claims (a renamed .xlsm, a non-ZIP .xlsx, a macro workbook) is
refused before it is parsed. Writing neutralises cells that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet import _reader as openpyxl_sheet_reader
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.functions import iterparse

from shequ.core.errors import DomainError

MAX_BYTES = 64 * 1024 * 1024
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
MAX_ROWS = 1_000_000
# Blank rows in a row past which a file is refused: no real list has them; a hostile one uses them to
# keep the reader busy (a million empty rows pack into a couple of megabytes).
MAX_BLANK_RUN = 10_000
# Whatever openpyxl, zipfile and the XML parser raise on a broken or hostile workbook (defusedxml's
# refusals of entity expansion, unsupported compression, corrupt deflate streams, ...): fuzzing keeps
# finding new kinds, so every failure to parse an untrusted file is a clear refusal, never a 500. Our
# own refusals (DomainError) pass through unchanged.
UNREADABLE = (Exception,)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CellProblem:
    sheet: str
    row: int
    column: str  # spreadsheet letter, e.g. "C"
    header: str
    message: str

    def as_text(self) -> str:
        return f"{self.sheet} 第{self.row}行 {self.column}列（{self.header}）：{self.message}"


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet shows it (the header is row 1)
    values: dict[str, str]


class Table:
    """A sheet's header and a stream of its non-empty rows, every value as stripped text."""

    def __init__(self, sheet: str, headers: list[str], rows: Iterator[Row]):
        self.sheet = sheet
        self.headers = headers
        self.rows = rows

    def column_of(self, header: str) -> str:
        return get_column_letter(self.headers.index(header) + 1) if header in self.headers else "?"


def _dimensions_before_the_data(self: Any) -> Any:
    """openpyxl (3.1) looks for a sheet's <dimension> on "end" events, so a sheet without one (a hostile
    file, most often) is parsed to its very end, keeping every row element, before a single row is read:
    seconds and hundreds of megabytes for a few packed megabytes. The element comes before <sheetData>
    when it exists at all, so stop at the data's start tag."""
    for _event, element in iterparse(self.source, events=("start",)):
        if element.tag == openpyxl_sheet_reader.DIMENSION_TAG:
            return SheetDimension.from_tree(element).boundaries
        if element.tag == openpyxl_sheet_reader.DATA_TAG:
            return None
    return None


openpyxl_sheet_reader.WorkSheetParser.parse_dimensions = _dimensions_before_the_data


NUMBER_DIGITS_KEPT = 10**15
LOST_DIGITS = re.compile(r"^\d(\.\d+)?E\+\d+$")  # what _text makes of such a number


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= NUMBER_DIGITS_KEPT:
        # A spreadsheet keeps 15 significant digits: an 18-digit ID number typed into a number cell has
        # lost its last digits. Shown as the spreadsheet shows it, so no check can take it for a number.
        return f"{value:.15G}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _refuse(message: object, code: str) -> DomainError:
    return DomainError(message, code=code, fields={"file": code})


def _check_xlsx(data: IO[bytes]) -> None:
    data.seek(0)
    if data.read(4) != b"PK\x03\x04":
        raise _refuse(_("The file is not a real .xlsx workbook."), "not_xlsx")
    data.seek(0)
    try:
        with zipfile.ZipFile(data) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
                raise _refuse(_("The workbook unpacks to more than the allowed size."), "too_large")
            names = {e.filename for e in entries}
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
                raise _refuse(_("The file is not a real .xlsx workbook."), "not_xlsx")
            types = archive.read("[Content_Types].xml")
            if any("vbaProject" in n for n in names) or b"macroEnabled" in types:
                raise _refuse(_("Workbooks with macros are refused. Save it as a plain .xlsx."), "macro")
    except DomainError:
        raise
    except UNREADABLE as exc:  # BadZipFile, and what a damaged archive raises on reading a member
        raise _refuse(_("The file is not a real .xlsx workbook."), "not_xlsx") from exc
    data.seek(0)


def open_table(data: IO[bytes], filename: str, *, max_rows: int = MAX_ROWS) -> Table:
    """The first sheet of an .xlsx, or a .csv (UTF-8, or GB18030 as Chinese Excel saves it)."""
    data.seek(0, io.SEEK_END)
    size = data.tell()
    data.seek(0)
    if size > MAX_BYTES:
        raise _refuse(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // 1024 // 1024}, "too_large"
        )
    name = filename.lower()
    if name.endswith(".xlsx"):
        _check_xlsx(data)
        try:
            workbook = load_workbook(data, read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
        except DomainError:
            raise
        except UNREADABLE as exc:
            raise _unreadable() from exc
        raw_rows: Iterator[Sequence[Any]] = sheet.iter_rows(values_only=True)
        sheet_name = sheet.title
    elif name.endswith(".csv"):
        head = data.read(4096)
        data.seek(0)
        encoding = "utf-8-sig"
        try:
            # Incremental: the 4096th byte may fall inside a character, which is no reason to doubt UTF-8.
            codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
        except UnicodeDecodeError:
            encoding = "gb18030"
        text = io.TextIOWrapper(data, encoding=encoding, newline="")
        raw_rows = csv.reader(text)
        sheet_name = "CSV"
    else:
        raise _refuse(_("Upload an .xlsx or .csv file."), "file_type")
    try:
        first = next(iter(raw_rows))
    except StopIteration as exc:
        raise _refuse(_("The file is empty."), "empty") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _refuse(_("The file cannot be read as text."), "encoding") from exc
    except DomainError:
        raise
    except UNREADABLE as exc:
        raise _unreadable() from exc
    headers = [_text(h) for h in first]
    while headers and not headers[-1]:
        headers.pop()

    def rows() -> Iterator[Row]:
        count = blank_run = 0
        try:
            for number, raw in enumerate(raw_rows, start=2):
                values = [_text(v) for v in raw]
                if not any(values):
                    blank_run += 1
                    if blank_run > MAX_BLANK_RUN:
                        raise _refuse(
                            _("More than %(n)d empty rows in a row: delete them and upload again.")
                            % {"n": MAX_BLANK_RUN},
                            "blank_rows",
                        )
                    continue
                blank_run = 0
                count += 1
                if count > max_rows:
                    raise _refuse(_("The file has more than %(n)d rows.") % {"n": max_rows}, "too_many_rows")
                extra = [v for v in values[len(headers) :] if v]
                row = {h: (values[i] if i < len(values) else "") for i, h in enumerate(headers) if h}
                if extra:
                    row["__extra__"] = " ".join(extra)
                yield Row(number, row)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise _refuse(_("The file cannot be read as text."), "encoding") from exc
        except DomainError:
            raise
        except UNREADABLE as exc:
            raise _unreadable() from exc

    return Table(sheet_name, headers, rows())


def _unreadable() -> DomainError:
    return _refuse(
        _("The workbook is damaged or holds unsafe content (such as XML entities). Save it again as .xlsx."),
        "unreadable",
    )


def safe_cell(value: Any) -> Any:
    """A value as a spreadsheet cell that can never run as a formula (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Sheet1") -> bytes:
    """A workbook written in streaming mode: memory stays flat however many rows come."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([safe_cell(h) for h in headers])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
