"""Writes the hostile-file corpus next to this script: `python tests/hostile/make_corpus.py`.

The files are committed (each is small); this script says exactly how each was made."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def workbook(
    sheet: bytes | str, *, extra: dict[str, bytes] | None = None, types: str = CONTENT_TYPES
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def main() -> None:
    # 1. A zip bomb: 600 MB of spaces inside the sheet, about 600 KB packed.
    (HERE / "zip-bomb.xlsx").write_bytes(workbook(SHEET_HEAD + " " * (600 * 1024 * 1024) + SHEET_TAIL))
    # 2. Billion laughs: nested XML entities that expand to gigabytes.
    laughs = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    laughs += "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(10)
    )
    laughs += ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    laughs += '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    (HERE / "billion-laughs.xlsx").write_bytes(workbook(laughs))
    # 3. A macro workbook renamed to .xlsx.
    macro_types = CONTENT_TYPES.replace(
        "spreadsheetml.sheet.main+xml", "../application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    )
    (HERE / "renamed-macro.xlsx").write_bytes(
        workbook(
            SHEET_HEAD + SHEET_TAIL,
            extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 512},
            types=macro_types,
        )
    )
    # 4. A million empty rows after the header.
    empty = "".join(f'<row r="{n}"/>' for n in range(2, 1_000_002))
    (HERE / "million-empty-rows.xlsx").write_bytes(workbook(SHEET_HEAD + empty + SHEET_TAIL))
    # 5. Not a ZIP at all, named .xlsx; and a text file named .jpg.
    (HERE / "not-a-workbook.xlsx").write_bytes(b"<html><body>not a workbook</body></html>\n" * 10)
    (HERE / "not-a-picture.jpg").write_bytes(b"GIF89a? no: just text pretending to be a photo\n" * 20)
    # 6. A CSV with a single field larger than the csv module allows.
    (HERE / "huge-field.csv").write_bytes("姓名,证件号码\n".encode() + b'"' + b"x" * 200_000 + b'",1\n')
    # 7. A workbook whose sheet is not XML.
    (HERE / "broken-sheet.xlsx").write_bytes(workbook(b"\x00\x01 this is not xml <<<"))


if __name__ == "__main__":
    main()
