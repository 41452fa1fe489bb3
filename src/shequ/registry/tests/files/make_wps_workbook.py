"""Writes residents-wps.xlsx: a small residents workbook with the quirks of WPS Spreadsheets (WPS 表格)'
.xlsx files, built by hand because WPS itself does not run here (see README.md). Run it from this
folder with the project's Python: `python make_wps_workbook.py`. The output is committed; the test
reads the committed file, not this script's output."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EPOCH_1904 = date(1904, 1, 1)

HEADERS = ["姓名", "证件类型", "证件号码", "性别", "出生日期", "手机号", "网格", "楼栋", "房号", "与户主关系"]
# The shared strings, some as WPS writes Chinese text: in runs, with phonetic (pinyin) runs beside.
SHARED = [
    *[f"<x:t>{escape(h)}</x:t>" for h in HEADERS],
    # 10: a name typed in two runs (WPS splits text at a change of font), with its phonetic guide
    '<x:r><x:t>王</x:t></x:r><x:r><x:rPr><x:sz val="11"/></x:rPr><x:t>小明</x:t></x:r>'
    '<x:rPh sb="0" eb="1"><x:t>wáng</x:t></x:rPh><x:phoneticPr fontId="1"/>',
    "<x:t>居民身份证</x:t>",  # 11
    "<x:t>44060519800517023X</x:t>",  # 12
    "<x:t>男</x:t>",  # 13
    "<x:t>第1网格</x:t>",  # 14
    "<x:t>户主</x:t>",  # 15
    '<x:t xml:space="preserve"> 440605197503030278 </x:t>',  # 16: spaces kept around the number
    "<x:t>1975/3/3</x:t>",  # 17: a date typed as text
    "<x:t>139 0000 1111</x:t>",  # 18
]


def serial(day: date) -> int:
    return (day - EPOCH_1904).days  # the workbook says date1904="1"


def cell(ref: str, kind: str, value: str, style: int = 0) -> str:
    s = f' s="{style}"' if style else ""
    if kind == "inline":
        return f'<x:c r="{ref}" t="inlineStr"{s}><x:is><x:t>{escape(value)}</x:t></x:is></x:c>'
    if kind == "shared":
        return f'<x:c r="{ref}" t="s"{s}><x:v>{value}</x:v></x:c>'
    if kind == "formula_str":  # a formula whose cached result is text
        formula, result = value.split("|")
        return f'<x:c r="{ref}" t="str"{s}><x:f>{escape(formula)}</x:f><x:v>{escape(result)}</x:v></x:c>'
    return f'<x:c r="{ref}"{s}><x:v>{value}</x:v></x:c>'  # a number


ROWS = [
    [("shared", str(i)) for i in range(10)],
    [
        ("shared", "10"),
        ("shared", "11"),
        ("shared", "12"),
        ("shared", "13"),
        ("number", str(serial(date(1980, 5, 17))), 1),  # custom 年月日 date format
        ("number", "13800138000"),
        ("shared", "14"),
        ("formula_str", '"布匹市场"&"1座"|布匹市场1座'),
        ("number", "101"),
        ("shared", "15"),
    ],
    [
        ("inline", "李阿姨"),
        ("inline", ""),
        ("inline", "44060519620130024X"),
        ("inline", "女"),
        ("number", str(serial(date(1962, 1, 30))), 2),  # built-in date format 14
        ("inline", "+86 139-0000-2222"),
        ("inline", "第1网格"),
        ("inline", "布匹市场1座"),
        ("inline", "102"),
        ("inline", "户主"),
    ],
    [
        ("inline", "陈建国"),
        ("shared", "11"),
        ("shared", "16"),
        ("inline", "男"),
        ("shared", "17"),
        ("shared", "18"),
        ("shared", "14"),
        ("inline", "布匹市场1座"),
        ("inline", "103"),
        ("inline", "户主"),
    ],
    [
        ("inline", "赵小红"),
        ("inline", ""),
        ("inline", "440605199007010285"),
        ("inline", ""),
        ("inline", ""),
        ("inline", "1390000333"),  # ten digits: refused
        ("inline", "第9网格"),  # no such grid
        ("inline", "布匹市场1座"),
        ("inline", "104"),
        ("inline", "户主"),
    ],
]


UNNUMBERED = 4  # a row written without r= on the row and its cells, as some WPS versions do


def sheet_xml() -> str:
    rows = []
    for n, row in enumerate(ROWS, start=1):
        cells = []
        for i, spec in enumerate(row):
            kind, value, *style = spec
            if kind == "inline" and value == "" and n != UNNUMBERED:
                continue  # WPS leaves empty cells out
            cells.append(cell(f"{chr(ord('A') + i)}{n}", kind, value, *(style or [0])))
        if n == UNNUMBERED:
            cells = [c.replace(f' r="{chr(ord("A") + i)}{n}"', "") for i, c in enumerate(cells)]
            rows.append(f"<x:row>{''.join(cells)}</x:row>")
            continue
        rows.append(f'<x:row r="{n}" spans="1:10">{"".join(cells)}</x:row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<x:worksheet xmlns:x="{MAIN}" xmlns:r="{REL}">'
        '<x:sheetPr/><x:dimension ref="A1:J5"/>'
        '<x:sheetViews><x:sheetView workbookViewId="0"/></x:sheetViews>'
        '<x:sheetFormatPr defaultRowHeight="13.5" baseColWidth="8"/>'
        f"<x:sheetData>{''.join(rows)}</x:sheetData>"
        '<x:pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
        "</x:worksheet>"
    )


PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" '
        'Target="docProps/app.xml"/>'
        "</Relationships>"
    ),
    "docProps/app.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>WPS 表格</Application><AppVersion>12.1.0.16412</AppVersion></Properties>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        'Target="sharedStrings.xml"/>'
        '<Relationship Id="rId3" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<x:workbook xmlns:x="{MAIN}" xmlns:r="{REL}">'
        '<x:workbookPr date1904="1"/>'
        '<x:bookViews><x:workbookView windowWidth="28800" windowHeight="12300"/></x:bookViews>'
        '<x:sheets><x:sheet name="居民" sheetId="1" r:id="rId1"/></x:sheets>'
        '<x:calcPr calcId="144525"/>'
        "</x:workbook>"
    ),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<x:styleSheet xmlns:x="{MAIN}">'
        '<x:numFmts count="1">'
        '<x:numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
        "</x:numFmts>"
        '<x:fonts count="2"><x:font><x:sz val="11"/><x:name val="宋体"/><x:charset val="134"/></x:font>'
        '<x:font><x:sz val="9"/><x:name val="宋体"/><x:charset val="134"/></x:font></x:fonts>'
        '<x:fills count="1"><x:fill><x:patternFill patternType="none"/></x:fill></x:fills>'
        '<x:borders count="1"><x:border><x:left/><x:right/><x:top/><x:bottom/><x:diagonal/></x:border>'
        "</x:borders>"
        '<x:cellStyleXfs count="1"><x:xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></x:cellStyleXfs>'
        '<x:cellXfs count="3"><x:xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<x:xf numFmtId="176" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<x:xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        "</x:cellXfs>"
        '<x:cellStyles count="1"><x:cellStyle name="常规" xfId="0" builtinId="0"/></x:cellStyles>'
        "</x:styleSheet>"
    ),
    "xl/sharedStrings.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<x:sst xmlns:x="{MAIN}" count="{len(SHARED)}" uniqueCount="{len(SHARED)}">'
        + "".join(f"<x:si>{s}</x:si>" for s in SHARED)
        + "</x:sst>"
    ),
    "xl/worksheets/sheet1.xml": sheet_xml(),
}


def main() -> None:
    target = Path(__file__).with_name("residents-wps.xlsx")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 12, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))


if __name__ == "__main__":
    main()
