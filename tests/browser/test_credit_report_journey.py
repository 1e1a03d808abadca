"""A landowner's credit report, in a real browser on the demo data: opens a firm, issues its report with a
purpose, downloads the PDF, decodes the QR code from the rendered PDF page (poppler's pdftoppm, then zbar), opens
the decoded address, which says genuine and valid; after a regulator records a penalty, the same verify page lists
the change. The report and its verify page are read at 375 px and in English too."""
import json
import os
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from registry.services.demo import generate_records
from tests.browser.conftest import (DOCS, assert_every_page_checked, check_page, docs_screenshot, journey_page,
                                    screenshot)
from tests.live_server import flask_command
from tests.pdf import pdf_fonts, pdf_text

pytestmark = pytest.mark.browser
DEMO = True

SUJING = ("苏州苏净环境工程有限公司", "913205001KM2U9AL7Q")
PURPOSE = "苏州市某化工厂地块土壤修复工程施工招标"

if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
    pytest.skip("poppler-utils and zbar-tools are not installed (.ci/run installs them)", allow_module_level=True)


def decode_qr(png) -> list[str]:
    """The QR codes zbar finds in an image, as their text."""
    found = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True, check=False)
    return [line for line in found.stdout.splitlines() if line]


def test_a_landowner_issues_a_report_downloads_its_pdf_and_verifies_it_by_its_qr_code(browser, live_server,
                                                                                         tmp_path):
    url = live_server.url
    id_numbers = {r["id_number"] for r in generate_records(120) if r["kind"] == "person"}
    page = journey_page(browser)
    page.goto(f"{url}/units/{SUJING[1]}")
    check_page(page)
    with page.expect_navigation():
        page.click("main a:has-text('出具信用报告')")
    form = check_page(page)
    assert SUJING[0] in form and "有效期30日" in form
    page.fill("#purpose", PURPOSE)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    report = check_page(page)
    number = re.search(r"XYBG(-[0-9A-Z]{4}){4}", page.url).group(0)
    for shown in (SUJING[0], number, f"用于：{PURPOSE}", "北京时间", "数据截止日期", "有效期至", "评审一次性通过率",
                  "一、基本情况信息", "二、业绩情况信息", "三、相关报告评审信息", "四、行政处罚情况信息"):
        assert shown in report, shown
    assert page.locator(".report-qr svg").count() == 1
    assert not set(re.findall(r"\d{17}[\dX]", page.content())) & id_numbers
    docs_screenshot(page, "credit-report")

    # The PDF: downloaded as a file, its text the same report, its CJK font embedded.
    with page.expect_download(timeout=60_000) as download:  # the first PDF of a worker loads WeasyPrint and fonts
        page.click("main a:has-text('下载PDF')", timeout=60_000)
    pdf = tmp_path / download.value.suggested_filename
    download.value.save_as(pdf)
    assert pdf.name == f"{number}.pdf"
    text = pdf_text(pdf.read_bytes())
    for shown in (SUJING[0], number, f"用于：{PURPOSE}", "北京时间", "评审一次性通过率"):
        assert shown in text, shown
    assert all(embedded for _, embedded in pdf_fonts(pdf.read_bytes()))

    # Its first page as an image, and the QR code read back from the pixels.
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    first_page = next(tmp_path.glob("page-*1.png"))
    screenshot_path = screenshot(page, "credit-report-html")  # the page, beside the PDF's image
    assert screenshot_path.exists()
    if not (DOCS / "credit-report-pdf.png").exists() or os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
        shutil.copyfile(first_page, DOCS / "credit-report-pdf.png")
    decoded = decode_qr(first_page)
    assert decoded == [f"{url}/verify/{number}"], decoded

    # The decoded address opens the verify page: genuine and valid, nothing changed yet.
    page.goto(decoded[0])
    verify = check_page(page)
    assert "真实" in verify and "有效" in verify and "不真实" not in verify
    assert "无：当前公开记录与报告所载一致" in verify

    # A regulator records a penalty with a ban (through the import service, as a bulk load does).
    yesterday = (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(days=1)).date().isoformat()
    penalty = {"kind": "penalty", "decision_number": "苏环罚〔2026〕88号", "subject": {"uscc": SUJING[1]},
               "authority": "江苏省生态环境厅", "authority_division_code": "320000", "decided_on": yesterday,
               "kinds": ["fine", "practice_ban"], "severity": "serious", "fine_yuan": 200000,
               "violation": "出具虚假修复效果评估报告", "basis": "《中华人民共和国土壤污染防治法》第九十条",
               "ban": {"until": "2029-12-31"}}
    source = tmp_path / "penalty.jsonl"
    source.write_text(json.dumps(penalty, ensure_ascii=False) + "\n", encoding="utf-8")
    loaded = flask_command(live_server.env, "registry", "import", str(source))
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    page.reload()
    changed = check_page(page)
    assert f"新增行政处罚：{yesterday}作出的处罚决定苏环罚〔2026〕88号。" in changed
    assert "新增禁止从业：处罚决定苏环罚〔2026〕88号，禁止从业至2029-12-31。" in changed
    assert "真实" in changed and "有效" in changed  # still genuine and valid: the record moved, not the report
    screenshot(page, "credit-report-verify-changed")
    assert_every_page_checked(page)

    # On a phone, in English: the same report and its verify page read without sideways scrolling.
    phone = journey_page(browser, locale="en-US", phone=True)
    phone.goto(f"{url}/reports/{number}?lang=en")
    english = check_page(phone, "en")
    assert "Credit report" in english and f"For: {PURPOSE}" in english and "Valid until" in english
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(phone, "credit-report-phone-en")
    phone.goto(f"{url}/verify/{number}")
    verified = check_page(phone, "en")
    assert "Genuine" in verified and "New administrative penalty: decision 苏环罚〔2026〕88号" in verified
    phone.goto(f"{url}/verify/XYBG-0000-0000-0000-0000")
    assert "No credit report was issued under the number XYBG-0000-0000-0000-0000" in check_page(phone, "en")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # A tender committee types the number from paper, loosely (lower case, spaces): the same verify page.
    phone.goto(f"{url}/verify")
    check_page(phone, "en")
    phone.fill("#number", number.lower().replace("-", " "))
    with phone.expect_navigation():
        phone.click("main button[type=submit]")
    assert phone.url == f"{url}/verify/{number}" and "Genuine" in check_page(phone, "en")
    screenshot(phone, "credit-report-verify-phone-en")
    assert_every_page_checked(phone)


def test_a_persons_report_from_a_project_page_shows_the_masked_number_only(browser, live_server):
    """From a project's people to a person's profile, then the person's report, at 375 px and in English."""
    url = live_server.url
    id_numbers = {r["id_number"] for r in generate_records(120) if r["kind"] == "person"}
    page = journey_page(browser, locale="en-US", phone=True)
    page.goto(f"{url}/units/{SUJING[1]}?lang=en")
    check_page(page, "en")
    projects = page.eval_on_selector_all("main #projects a[href^='/projects/']", "links => links.map(a => a.href)")
    for project in projects:  # the first of the firm's projects that names a responsible person
        page.goto(project)
        check_page(page, "en")
        if page.locator("main a[href^='/persons/']").count():
            break
    with page.expect_navigation():
        page.click("main a[href^='/persons/'] >> nth=0")
    person = check_page(page, "en")
    masked = re.search(r"\d{6}\*{8}[\dX]{4}", person).group(0)
    with page.expect_navigation():
        page.click("main a:has-text('Issue a credit report')")
    check_page(page, "en")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "credit-report-issue-phone-en")
    page.fill("#purpose", "Tender for the remediation of a former chemical plant")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    report = check_page(page, "en")
    assert masked in report and "For: Tender for the remediation of a former chemical plant" in report
    assert not set(re.findall(r"\d{17}[\dX]", page.content())) & id_numbers
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "credit-report-person-phone-en")
    assert_every_page_checked(page)
