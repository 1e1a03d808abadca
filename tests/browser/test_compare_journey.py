"""A landowner shortlists contractors on the demo data: searches, adds a firm to the comparison from a search
hit, another after a second search, a third from a firm's profile, and reads three columns; prints the
comparison on A4 (it fits the page's width, every firm on it); reloads it and walks back and forward through
the pages; reads it on a 375 px phone and in English. The site has no JavaScript: every step is a plain GET
form or link, so the comparison's address holds the whole choice."""
import re
import subprocess
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.browser.conftest import assert_every_page_checked, check_page, docs_screenshot, journey_page, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

A4_CONTENT_PX = round((210 - 2 * 15) / 25.4 * 96)  # A4 less the 15 mm margins of the print style, in CSS pixels


def chosen(page) -> list[str]:
    return [value for key, value in parse_qsl(urlsplit(page.url).query) if key == "uscc"]


def column_names(page) -> list[str]:
    return page.locator("table.compare thead th a[href^='/units/']").all_inner_texts()


def follow(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def search(page, text: str) -> list[str]:
    """Type a search into the box and send it; the credit codes of the hits, in order."""
    page.fill("#q", text)
    follow(page, page.locator("main form[role=search] button[type=submit]"))
    check_page(page)
    return [href.rsplit("/", 1)[-1].split("?")[0] for href in
            page.locator("main .hit h3 a").evaluate_all("links => links.map(a => a.getAttribute('href'))")]


def test_a_landowner_compares_three_firms_prints_reloads_and_goes_back(browser, demo_server, tmp_path):
    url = demo_server.url
    page = journey_page(browser)
    page.goto(url + "/search")
    check_page(page)

    # The first firm, from a search hit.
    hits = search(page, "修复")
    first = hits[0]
    follow(page, page.locator(f"main .hit:has(h3 a[href^='/units/{first}']) form.compare-add button"))
    text = check_page(page)
    assert urlsplit(page.url).path == "/compare" and chosen(page) == [first]
    assert "请至少选择两家单位进行比较" in text and len(column_names(page)) == 1

    # Back to the search with the choice kept; a second search; the second firm from its hit.
    follow(page, page.locator("main form[action='/search'] button"))
    check_page(page)
    assert "已选择1家单位进行比较。" in page.inner_text("main")
    hits = search(page, "环境")
    assert f"compare={first}" in page.url  # the new search kept the choice
    second = next(code for code in hits if code != first)
    assert page.locator(f"main .hit:has(h3 a[href^='/units/{first}']) .badge-ok").count() in (0, 1)
    follow(page, page.locator(f"main .hit:has(h3 a[href^='/units/{second}']) form.compare-add button"))
    check_page(page)
    assert chosen(page) == [first, second] and len(column_names(page)) == 2

    # The third firm from its profile, reached from a hit of another search.
    follow(page, page.locator("main form[action='/search'] button"))
    check_page(page)
    hits = search(page, "土壤")
    third = next(code for code in hits if code not in (first, second))
    follow(page, page.locator(f"main .hit h3 a[href^='/units/{third}']"))
    profile = check_page(page)
    assert "主要从业人员" in profile  # the profile's key staff
    follow(page, page.locator("main form.compare-add button"))
    text = check_page(page)
    assert chosen(page) == [first, second, third]
    names = column_names(page)
    assert len(names) == 3 and all(name in text for name in names)
    for figure in ("评审一次性通过率", "按期完成率", "公开项目", "公开的行政处罚", "虚假业绩举报核实情况", "从业人员", "禁止从业"):
        assert page.locator(f"table.compare th.metric:text-is('{figure}')").count() == 1, figure
    assert re.search(r"\d+/\d+ \(\d+\.\d%\)|—", page.inner_text("table.compare"))  # rates with denominators
    comparison_url = page.url
    docs_screenshot(page, "compare", full_page=True)

    # Printed: on A4 the table fits the page's width, without the site's navigation or forms.
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_CONTENT_PX, "height": 1100})
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_CONTENT_PX
    table = page.locator("table.compare").bounding_box()
    assert table["x"] >= 0 and table["x"] + table["width"] <= A4_CONTENT_PX + 1
    assert page.locator("form.compare-add, .compare-more, header.site-header").evaluate_all(
        "nodes => nodes.filter(n => getComputedStyle(n).display !== 'none').length") == 0
    pdf = tmp_path / "comparison.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=False)
    printed = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595(\.\d+)? x 842", pages)  # A4
    assert all(code in printed.replace(" ", "") for code in (first, second, third))
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Reloaded, the same three columns; back, the profile it came from; forward, the comparison again.
    page.reload()
    check_page(page)
    assert chosen(page) == [first, second, third] and column_names(page) == names
    page.go_back()
    check_page(page)
    assert urlsplit(page.url).path == f"/units/{third}"
    page.go_back()
    check_page(page)
    assert urlsplit(page.url).path == "/search" and "q=%E5%9C%9F%E5%A3%A4" in page.url
    page.go_forward()
    page.go_forward()
    check_page(page)
    assert page.url == comparison_url and column_names(page) == names

    # A firm removed: two columns; the back button brings the three again.
    follow(page, page.locator("table.compare thead th").nth(2).locator("a.remove"))
    check_page(page)
    assert chosen(page) == [first, third]
    page.go_back()
    check_page(page)
    assert column_names(page) == names
    assert_every_page_checked(page)
    page.context.close()

    # On a phone, and in English: no sideways scrolling of the page.
    for lang, html_lang in (("zh", "zh-CN"), ("en", "en")):
        phone = journey_page(browser, phone=True)
        phone.goto(f"{comparison_url}&lang={lang}")
        text = check_page(phone, html_lang)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        assert ("Compare firms" if lang == "en" else "比较从业单位") in text
        screenshot(phone, f"compare-phone-{lang}")
        assert_every_page_checked(phone)
        phone.context.close()
