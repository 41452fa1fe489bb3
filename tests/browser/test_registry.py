"""The registry at work: a grid worker registers a resident on a phone, community staff import an Excel
file and export a filtered list, a social worker records a special group that a building head sees only
by name."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from playwright.sync_api import Locator, expect

from shequ.core.idnumber import make_id_number
from shequ.registry.importing import COLUMNS

from .helpers import MASKED_ID, Journey

# 北京市朝阳区: the demo's people come from 440605 and a few southern regions, never from here, so these
# numbers cannot collide with the demo's.
REGION = "110105"
BORN = date(1990, 5, 1)
GRID = "第1网格（布匹市场）"
BUILDING = "布匹市场1座"
# Names and ID sequences per screen size: both sizes run against the same server.
TAG = {"desktop": "桌面", "phone": "手机"}
SEQ = {"desktop": 200, "phone": 300}
HEADERS = [c.header for c in COLUMNS]
ID_COLUMN = get_column_letter(HEADERS.index("证件号码") + 1)
BUILDING_COLUMN = get_column_letter(HEADERS.index("楼栋") + 1)
COUNT_LINE = re.compile(r"共\s*([\d,]+)\s*条记录")


def id_number(seq: int, gender: str = "M") -> str:
    return make_id_number(REGION, BORN, seq, gender)


def wrong_checksum(valid: str) -> str:
    return valid[:17] + ("1" if valid[17] != "1" else "2")


def masked(valid: str) -> str:
    return valid[:6] + "*" * 8 + valid[-4:]


def search_residents(journey: Journey, q: str) -> Locator:
    """The residents list searched through its own form; returns the name links found."""
    page = journey.page
    journey.open("/residents/")
    page.locator('main input[name="q"]').fill(q)
    journey.click_and_wait(page.locator("main form.filters button[type=submit]"))
    # A whole number travels in no URL: the form is POSTed and the list carries a session token.
    expect(page).to_have_url(re.compile(r"[?&]s=" if re.search(r"\d{5,}", q) else r"[?&]q="))
    assert q not in page.url or not re.search(r"\d{5,}", q), f"the number is in the URL {page.url}"
    return page.locator("main tbody td a")


def read_xlsx(path: Path) -> list[list[str]]:
    # A download is saved without a suffix, and openpyxl judges a path by its suffix: hand it the bytes.
    workbook = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    rows = [["" if v is None else str(v) for v in row] for row in workbook.active.iter_rows(values_only=True)]
    workbook.close()
    return rows


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_grid_worker_registers_a_resident_on_a_phone_and_a_wrong_check_digit_is_refused(
    journey: Journey,
) -> None:
    page = journey.page
    name, refused_name = "司马登记", "司马校验"
    good_id = id_number(101)
    bad_id = wrong_checksum(id_number(102))

    with journey.step("sign in as grid worker pingdi_wangge; the ID numbers are not registered yet"):
        journey.sign_in("pingdi_wangge")
        for number in (good_id, id_number(102)):
            expect(search_residents(journey, number)).to_have_count(0)

    with journey.step(f"open {GRID} from the home page, then {BUILDING}"):
        journey.open("/")
        journey.click_and_wait(page.locator("main h2 a", has_text=GRID))
        expect(page.locator("main h1")).to_contain_text(GRID)
        journey.click_and_wait(page.locator("main table a", has_text=re.compile(f"^{BUILDING}$")))
        expect(page.locator("main h1")).to_contain_text(BUILDING)
        expect(page.locator("nav.crumbs")).to_contain_text(GRID)
        journey.shot("08-building-grid-worker")

    with journey.step("tap 登记居民 and fill name, ID number and room"):
        journey.click_and_wait(page.locator("main .actions a", has_text="登记居民"))
        expect(page).to_have_url(re.compile(r"/areas/\d+/residents/new/$"))
        expect(page.locator("main h1")).to_contain_text(BUILDING)
        form_url = page.url
        page.locator("#id_name").fill(name)
        page.locator("#id_id_number").fill(good_id)
        page.locator("#id_room").fill("601室")
        journey.shot("08-register-form-grid-worker")

    with journey.step("save: the new resident's page shows the ID number masked"):
        journey.click_and_wait(page.locator("main form button[type=submit]"))
        expect(page).to_have_url(re.compile(r"/residents/\d+/$"))
        expect(page.locator("main h1")).to_have_text(name)
        expect(page.locator("main .flash")).to_contain_text(name)
        expect(page.get_by_test_id("id-masked")).to_have_text(masked(good_id))
        expect(page.locator("main")).not_to_contain_text(good_id)
        expect(page.locator("main dl.facts").first).to_contain_text(BUILDING)
        journey.shot("08-registered-grid-worker")

    with journey.step("a second resident with a wrong check digit gets the 校验位 error, name kept"):
        journey.open(form_url)
        page.locator("#id_name").fill(refused_name)
        page.locator("#id_id_number").fill(bad_id)
        page.locator("#id_room").fill("602室")
        journey.click_and_wait(page.locator("main form button[type=submit]"))
        expect(page).to_have_url(form_url)
        error = page.locator('label[for="id_id_number"] .field-error')
        expect(error).to_be_visible()
        expect(error).to_contain_text("校验位")
        expect(page.locator("#id_name")).to_have_value(refused_name)
        expect(page.locator("#id_id_number")).to_have_value(bad_id)
        journey.shot("08-register-bad-checksum-grid-worker")

    with journey.step("nothing was created: searching finds the first resident only"):
        expect(search_residents(journey, refused_name)).to_have_count(0)
        expect(page.locator("main tbody")).to_contain_text("没有找到")
        found = search_residents(journey, name)
        expect(found).to_have_count(1)
        expect(found).to_have_text(name)


def import_rows(viewport: str) -> tuple[list[dict[str, str]], list[str]]:
    """Two good rows, a wrong check digit and an unknown building; and the two good names."""
    tag, seq = TAG[viewport], SEQ[viewport]
    good = [f"欧阳导入{tag}甲", f"欧阳导入{tag}乙"]
    base = {"网格": GRID, "楼栋": BUILDING, "户籍状态": "常住"}
    rows = [
        {**base, "姓名": good[0], "证件号码": id_number(seq + 1), "房号": "701室", "与户主关系": "户主"},
        {**base, "姓名": good[1], "证件号码": id_number(seq + 2, "F"), "房号": "701室", "与户主关系": "配偶"},
        {**base, "姓名": f"欧阳错码{tag}", "证件号码": wrong_checksum(id_number(seq + 3)), "房号": "702室"},
        {**base, "姓名": f"欧阳无楼{tag}", "证件号码": id_number(seq + 4), "楼栋": "布匹市场99座"},
    ]
    return rows, good


def write_import_file(path: Path, rows: list[dict[str, str]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "居民"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row.get(h, "") for h in HEADERS])
    workbook.save(path)
    return path


@pytest.mark.browser
def test_community_staff_imports_an_excel_file_with_bad_rows_and_imports_the_good_ones(
    journey: Journey, tmp_path: Path
) -> None:
    page = journey.page
    rows, good_names = import_rows(journey.viewport)
    upload = write_import_file(tmp_path / f"平地居民-{journey.viewport}.xlsx", rows)

    with journey.step("sign in as community staff pingdi_shequ and open 平地社区"):
        journey.sign_in("pingdi_shequ")
        journey.click_and_wait(page.locator("main h2 a", has_text="平地社区"))
        expect(page.locator("main h1")).to_contain_text("平地社区")

    with journey.step("从 Excel 导入 opens the upload page for 平地社区"):
        journey.click_and_wait(page.locator("main .actions a", has_text="从 Excel 导入"))
        expect(page).to_have_url(re.compile(r"/residents/import/\?area=\d+$"))
        expect(page.locator("main h1")).to_contain_text("平地社区")
        expect(page.get_by_test_id("template")).to_be_visible()
        journey.shot("09-import-upload-community-staff")

    with journey.step("upload the file: the preview counts 2 good rows and 2 rows with errors"):
        page.locator("#id_file").set_input_files(upload)
        journey.click_and_wait(page.locator("main form button[type=submit]"))
        expect(page).to_have_url(re.compile(r"/residents/import/\d+/$"))
        preview_url = page.url
        expect(page.locator("main h1")).to_have_text(upload.name)
        expect(page.get_by_test_id("good-rows")).to_have_text("2")
        expect(page.get_by_test_id("error-rows")).to_have_text("2")
        expect(page.get_by_test_id("created-rows")).to_have_count(0)
        expect(page.get_by_test_id("import-all")).to_have_count(0)
        journey.shot("09-import-preview-community-staff")

    with journey.step("each problem names its row and column"):
        problems = page.get_by_test_id("problem")
        expect(problems).to_have_count(2)
        checksum, building = problems.nth(0).locator("td"), problems.nth(1).locator("td")
        expect(checksum.nth(0)).to_contain_text("第 4 行")
        expect(checksum.nth(1)).to_have_text(f"{ID_COLUMN} 证件号码")
        expect(checksum.nth(2)).to_contain_text("校验位")
        expect(building.nth(0)).to_contain_text("第 5 行")
        expect(building.nth(1)).to_have_text(f"{BUILDING_COLUMN} 楼栋")

    with journey.step("download the rows with errors: the 2 bad rows and 错误说明"):
        with page.expect_download() as download_info:
            page.get_by_test_id("bad-rows").click()
        download = download_info.value
        assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
        header, *bad = read_xlsx(Path(download.path()))
        assert header == [*HEADERS, "错误说明"], header
        assert [r[HEADERS.index("姓名")] for r in bad] == [rows[2]["姓名"], rows[3]["姓名"]], bad
        assert bad[0][HEADERS.index("证件号码")] == rows[2]["证件号码"], "the row is not as typed"
        assert bad[0][-1].startswith("原第4行"), bad[0][-1]
        assert "校验位" in bad[0][-1], bad[0][-1]
        assert bad[1][-1].startswith("原第5行"), bad[1][-1]
        assert f"{BUILDING_COLUMN}列" in bad[1][-1], bad[1][-1]

    with journey.step("import the good rows: 2 registered"):
        journey.click_and_wait(page.get_by_test_id("import-good"))
        expect(page).to_have_url(preview_url)
        expect(page.get_by_test_id("created-rows")).to_have_text("2")
        expect(page.locator("main .flash").first).to_contain_text("2")
        expect(page.get_by_test_id("import-good")).to_have_count(0)
        journey.shot("09-import-done-community-staff")

    with journey.step("the residents list finds the two imported residents, and not the bad rows"):
        journey.click_and_wait(journey.in_menu(page.locator('header a[href="/residents/"]')))
        found = search_residents(journey, f"欧阳导入{TAG[journey.viewport]}")
        expect(found).to_have_text(good_names)
        expect(page.locator("main tbody td.masked").first).to_have_text(MASKED_ID)
        journey.shot("09-import-residents-found-community-staff", full_page=False)
        for bad_row in rows[2:]:
            expect(search_residents(journey, bad_row["姓名"])).to_have_count(0)

    with journey.step("another community's staff (zhenhua_shequ) gets not-found for this import"):
        page.context.clear_cookies()
        journey.sign_in("zhenhua_shequ")
        journey.open(preview_url, status=404)
        expect(page.locator('main .error-box[data-code="not_found"]')).to_be_visible()
        expect(page.get_by_test_id("good-rows")).to_have_count(0)
        journey.open(f"{preview_url}bad-rows.xlsx", status=404)
        journey.shot("09-import-preview-not-found-other-community")


@pytest.mark.browser
def test_social_worker_records_a_chronic_illness_that_the_building_head_sees_only_by_name(
    journey: Journey,
) -> None:
    page = journey.page
    conditions = f"哮喘、痛风（浏览器测试{TAG[journey.viewport]}）"

    with journey.step(f"sign in as social worker pingdi_shegong and list the adults of {BUILDING}"):
        journey.sign_in("pingdi_shegong")
        journey.click_and_wait(page.locator("main h2 a", has_text="平地社区"))
        journey.click_and_wait(page.locator("main table a", has_text=GRID))
        journey.click_and_wait(page.locator("main table a", has_text=re.compile(f"^{BUILDING}$")))
        journey.click_and_wait(page.locator('main .actions a[href^="/residents/?area="]'))
        page.locator("#id_age").select_option("18-59")
        journey.click_and_wait(page.locator("main form.filters button[type=submit]"))
        expect(page).to_have_url(re.compile(r"age=18-59"))

    with journey.step("open an adult resident who is not recorded as chronically ill"):
        # A different person per screen size: both sizes share the server.
        links = page.locator("main tbody td a")
        expect(links.first).to_be_visible()
        hrefs = [a.get_attribute("href") or "" for a in links.all()]
        start = 0 if journey.viewport == "desktop" else 5
        for href in hrefs[start:]:
            journey.open(href)
            if page.locator('main .tag[data-group="chronic"]').count() == 0:
                break
        else:
            pytest.fail(f"every adult of {BUILDING} is already recorded as chronically ill")
        resident_url = page.url
        name = page.locator("main h1").inner_text().strip()
        expect(page.locator("main")).not_to_contain_text(conditions)

    with journey.step("record 慢性病患者 with the conditions"):
        journey.click_and_wait(page.locator('main a[href$="/groups/chronic/"]').last)
        expect(page).to_have_url(re.compile(r"/residents/\d+/groups/chronic/$"))
        expect(page.locator("main h1")).to_contain_text("慢性病患者")
        page.locator("#id_conditions").fill(conditions)
        journey.shot("10-special-group-form-social-worker")
        journey.click_and_wait(page.locator("main form button[type=submit]").first)

    with journey.step("the resident page shows the group and its conditions"):
        expect(page).to_have_url(resident_url)
        expect(page.locator("main .flash")).to_be_visible()
        expect(page.locator('main .tag[data-group="chronic"]')).to_have_text("慢性病患者")
        expect(page.locator('main .group-card[data-group="chronic"]')).to_contain_text(conditions)
        journey.shot("10-special-group-recorded-social-worker")

    with journey.step("the building head pingdi_louzhang sees the group's name, not the conditions"):
        page.context.clear_cookies()
        journey.sign_in("pingdi_louzhang")
        journey.open(resident_url)
        expect(page.locator("main h1")).to_have_text(name)
        expect(page.locator('main .tag[data-group="chronic"]')).to_have_text("慢性病患者")
        expect(page.locator("main .group-card")).to_have_count(0)
        expect(page.locator("main")).not_to_contain_text(conditions)
        expect(page.locator("main")).not_to_contain_text("哮喘")
        expect(page.locator('main a[href*="/groups/"]')).to_have_count(0)
        journey.shot("10-special-group-building-head")

    with journey.step("nor can the building head open the group's form"):
        journey.open(f"{resident_url}groups/chronic/", status=403)
        expect(page.locator("main")).not_to_contain_text(conditions)


@pytest.mark.browser
def test_community_staff_exports_the_disabled_residents_with_masked_id_numbers(journey: Journey) -> None:
    page = journey.page
    with journey.step("sign in as community staff pingdi_shequ and filter the residents by 残疾人"):
        journey.sign_in("pingdi_shequ")
        journey.click_and_wait(journey.in_menu(page.locator('header a[href="/residents/"]')))
        page.locator("#id_group").select_option("disabled")
        journey.click_and_wait(page.locator("main form.filters button[type=submit]"))
        expect(page).to_have_url(re.compile(r"group=disabled"))
        listed = [t.strip() for t in page.locator("main tbody td a").all_inner_texts()]
        assert listed, "no disabled residents in 平地社区's list"
        count_text = page.locator("main").get_by_text(COUNT_LINE).inner_text()
        total = int(COUNT_LINE.search(count_text).group(1).replace(",", ""))  # type: ignore[union-attr]
        journey.shot("11-residents-disabled-community-staff", full_page=False)

    with journey.step("导出 Excel downloads an .xlsx of the same residents, ID numbers masked"):
        export = page.get_by_test_id("export")
        expect(export).to_have_attribute("href", re.compile(r"group=disabled"))
        with page.expect_download() as download_info:
            export.click()
        download = download_info.value
        assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
        header, *rows = read_xlsx(Path(download.path()))
        ids = header.index("身份证号（脱敏）")
        assert len(rows) == total, f"the list counts {total}, the export has {len(rows)} rows"
        assert [r[0] for r in rows[: len(listed)]] == listed, "the export is not the list on screen"
        # A child under 14 is in the minimal form without a grant for minors: "X**", no number, no groups.
        children = [r for r in rows if r[0].endswith("**") and not r[ids]]
        others = [r for r in rows if r not in children]
        unmasked = [r[ids] for r in others if not MASKED_ID.match(r[ids])]
        assert not unmasked, f"ID numbers not masked in the export: {unmasked[:5]}"
        assert all("残疾人" in r[-1] for r in others), "a row of the 残疾人 export is not tagged 残疾人"


@pytest.mark.browser
def test_community_staff_imports_households_and_the_preview_names_the_bad_row_in_chinese(
    journey: Journey, tmp_path: Path
) -> None:
    page = journey.page
    tag = TAG[journey.viewport]
    rooms = [f"{tag}1801室", f"{tag}1802室"]
    headers = ["网格", "楼栋", "房号", "地址", "标签"]
    rows = [
        [GRID, BUILDING, rooms[0], "", "困难家庭"],
        [GRID, BUILDING, rooms[1], "", ""],
        [GRID, BUILDING, f"{tag}1803室", "", "贫困户"],  # row 4: not one of the household tags
    ]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "住户"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    upload = tmp_path / f"平地住户-{journey.viewport}.xlsx"
    workbook.save(upload)
    tag_column = get_column_letter(headers.index("标签") + 1)

    with journey.step("sign in as pingdi_shequ, open 平地社区's residents, then 住户"):
        journey.sign_in("pingdi_shequ")
        journey.click_and_wait(page.locator("main h2 a", has_text="平地社区"))
        journey.click_and_wait(page.locator('main .actions a[href^="/residents/?area="]'))
        journey.click_and_wait(page.get_by_test_id("households"))
        expect(page).to_have_url(re.compile(r"/households/\?area=\d+$"))
        expect(page.locator("main h1")).to_contain_text("住户")

    with journey.step("从 Excel 导入住户 opens the upload page with the template"):
        journey.click_and_wait(page.get_by_test_id("import"))
        expect(page).to_have_url(re.compile(r"/households/import/\?area=\d+$"))
        expect(page.locator("main h1")).to_contain_text("导入住户")
        with page.expect_download() as download_info:
            page.get_by_test_id("template").click()
        header, *_example = read_xlsx(Path(download_info.value.path()))
        assert header == [*headers, "产权人", "专有面积"], header  # the two optional columns of the 278 roll

    with journey.step("upload: the preview names row 4, its column and the reason in Chinese"):
        page.locator("#id_file").set_input_files(upload)
        journey.click_and_wait(page.locator("main form button[type=submit]"))
        expect(page).to_have_url(re.compile(r"/households/import/\d+/$"))
        expect(page.get_by_test_id("good-rows")).to_have_text("2")
        expect(page.get_by_test_id("error-rows")).to_have_text("1")
        problem = page.get_by_test_id("problem").locator("td")
        expect(problem.nth(0)).to_contain_text("第 4 行")
        expect(problem.nth(1)).to_have_text(f"{tag_column} 标签")
        expect(problem.nth(2)).to_contain_text("无法识别的标签：贫困户")
        journey.shot("12-household-import-preview-community-staff")

    with journey.step("import the good rows: 2 households added, and the list shows them"):
        journey.click_and_wait(page.get_by_test_id("import-good"))
        expect(page.get_by_test_id("created-rows")).to_have_text("2")
        expect(page.locator("main .flash").first).to_contain_text("已添加 2 户")
        journey.open(f"/households/?q={tag}18")
        expect(page.locator("main tbody td a")).to_have_count(2)
        expect(page.locator("main tbody")).to_contain_text("困难家庭")
