"""A landowner choosing a contractor, on the demo data, with the keyboard alone (Tab, arrows, typing, Enter; no
clicks): searches in Chinese, filters by province and former industry, runs a similar-parcel search, opens two
firm profiles, reads a person's profile (masked ID number only) and files a complaint about a project."""
import re
import time

import pytest

from registry.services.demo import generate_records
from tests.browser.conftest import (assert_every_page_checked, check_page, choose_by_keyboard, docs_screenshot,
                                    focused_label, journey_page, press_and_follow, screenshot, tab_to)

pytestmark = pytest.mark.browser

SUJING = ("苏州苏净环境工程有限公司", "913205001KM2U9AL7Q")
MASKED = re.compile(r"\b\d{6}\*{8}[\dX]{4}\b")


@pytest.fixture(scope="module")
def demo_id_numbers() -> set[str]:
    """Every full ID number in the demo data set, to prove that none ever reaches a public page."""
    return {r["id_number"] for r in generate_records(120) if r["kind"] == "person"}


def no_full_id_number(page, id_numbers: set[str]) -> None:
    found = set(re.findall(r"\d{17}[\dX]", page.content())) & id_numbers
    assert not found, f"full ID numbers on {page.url}"


def test_a_landowner_finds_compares_and_complains_with_the_keyboard_alone(browser, demo_server, demo_id_numbers):
    url = demo_server.url
    page = journey_page(browser)

    # The home page: the skip link comes first, then the site's navigation, then the search box.
    page.goto(url + "/")
    check_page(page)
    page.keyboard.press("Tab")
    assert focused_label(page) == "跳到正文"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"  # focus is visible
    page.keyboard.press("Enter")  # the skip link jumps past the navigation: the next stop is the search box
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    assert focused_label(page) == "单位、个人、统一社会信用代码、项目、地块或业主"
    page.keyboard.type("苏净")
    press_and_follow(page)
    results = check_page(page)
    assert SUJING[0] in results and "太原苏净环境检测有限公司" in results
    assert re.search(r"共找到\d+家单位", results)

    # A second search, narrowed to Jiangsu parcels of former fuel-processing plants (coking: C25).
    tab_to(page, "#q")
    page.keyboard.press("Control+A")
    page.keyboard.type("焦化")
    tab_to(page, "main details.filter-panel > summary")  # the filters are folded until one is set: open them
    page.keyboard.press("Enter")
    tab_to(page, "#province")
    assert focused_label(page) == "省份"
    choose_by_keyboard(page, "江苏省")
    tab_to(page, "#industry")
    assert focused_label(page) == "地块原行业"
    choose_by_keyboard(page, "C25 石油、煤炭及其他燃料加工业")
    tab_to(page, "main form button[type=submit]")
    press_and_follow(page)
    assert "province=32" in page.url and "industry=C25" in page.url
    filtered = check_page(page)
    hits = page.locator("main .hit").all_inner_texts()
    assert hits and all("江苏省" in hit for hit in hits), hits
    assert SUJING[0] in filtered
    no_full_id_number(page, demo_id_numbers)
    docs_screenshot(page, "search", full_page=True)

    # The first firm profile, reached by Tab from its hit.
    tab_to(page, f'main a[href="/units/{SUJING[1]}"]')
    press_and_follow(page)
    profile = check_page(page)
    assert SUJING[0] in profile and "一、基本情况信息" in profile and "二、业绩情况信息" in profile
    assert re.search(r"按期完成率\s+\d+/\d+ \(\d+(\.\d)?%\)", profile)  # one decimal (DESIGN §3)
    no_full_id_number(page, demo_id_numbers)
    screenshot(page, "landowner-01-first-profile")

    # The similar-parcel search: a former chemical plant of 20,000 m² or more in Jiangsu.
    tab_to(page, 'header a[href="/similar"]')
    press_and_follow(page)
    check_page(page)
    tab_to(page, "#industry")
    choose_by_keyboard(page, "C26 化学原料和化学制品制造业")
    tab_to(page, "#min_area")
    page.keyboard.type("20000")
    tab_to(page, "#province")
    choose_by_keyboard(page, "江苏省")
    tab_to(page, "main form button[type=submit]")
    press_and_follow(page)
    similar = check_page(page)
    assert "industry=C26" in page.url and "province=32" in page.url
    firms = page.locator('main a[href^="/units/"]').evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert firms, similar[-800:]
    screenshot(page, "landowner-02-similar-parcels")

    # A second firm profile, from the similar-parcel results.
    second = next(href for href in firms if href != f"/units/{SUJING[1]}")
    tab_to(page, f'main a[href="{second}"]')
    press_and_follow(page)
    second_profile = check_page(page)
    assert "一、基本情况信息" in second_profile and second.split("/")[-1] in second_profile

    # One of its projects, then a person named on it: the ID number is masked, nowhere in full.
    tab_to(page, 'main a[href^="/projects/"]')
    press_and_follow(page)
    project_url = page.url
    project = check_page(page)
    assert "直接责任人员" in project
    tab_to(page, 'main a[href^="/persons/"]')
    press_and_follow(page)
    person = check_page(page)
    assert MASKED.search(person), person[:600]
    no_full_id_number(page, demo_id_numbers)
    screenshot(page, "landowner-03-person")

    # Back to the project from the person's own list of projects, and a complaint about it, field by field.
    tab_to(page, f'main a[href="{project_url.removeprefix(url)}"]')
    press_and_follow(page)
    assert page.url == project_url
    tab_to(page, "#description")
    assert focused_label(page) == "该业绩信息有哪些不实之处？"
    shown_at = time.monotonic()
    page.keyboard.type("该项目实际由业主自行组织施工完成，该单位并未参与，填报的业绩不实。")
    page.keyboard.press("Tab")
    assert focused_label(page) == "您的姓名（选填）"
    page.keyboard.type("陈先生")
    page.keyboard.press("Tab")
    assert focused_label(page) == "联系电话或电子邮箱（选填，便于核实时联系）"
    page.keyboard.type("13900001111")
    page.keyboard.press("Tab")  # the hidden anti-bot field is skipped: the next stop is the submit button
    assert focused_label(page) == "提交举报"
    time.sleep(max(0.0, 3.2 - (time.monotonic() - shown_at)))  # a person takes longer than the bot threshold
    press_and_follow(page)
    receipt = check_page(page)
    assert "举报已受理" in receipt and re.search(r"受理编号\s+JB\d{8}-[0-9A-F]{8}", receipt), receipt
    assert "陈先生" not in receipt and "13900001111" not in page.content()
    screenshot(page, "landowner-04-complaint-receipt")
    assert_every_page_checked(page)
    page.context.close()
