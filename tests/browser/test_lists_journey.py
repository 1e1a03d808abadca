"""A landowner watches a shortlist, in a real browser on a phone: the Suzhou regulator bans a firm through its own
form; the landowner follows the home page's ban figure to the ban list, opens the firm, and finds the firm's feed
link; after the regulator records a further penalty through the same form, the national feed the landowner
subscribed to gains the entry."""
import xml.etree.ElementTree as ET

import pytest

from tests.browser.conftest import (assert_every_page_checked, check_page, docs_screenshot, journey_page, login,
                                   screenshot)

pytestmark = pytest.mark.browser
DEMO = True  # this module's own demo server: the ban must not reach the other journeys' firm

FIRM = ("苏州苏净环境工程有限公司", "913205001KM2U9AL7Q")
ATOM = "{http://www.w3.org/2005/Atom}"
DOUBLE_PUBLICITY = {"#violation_type": "出具虚假报告", "#violation": "在原苏州化工厂地块修复效果评估报告中篡改检测数据",
                    "#basis": "《中华人民共和国土壤污染防治法》第九十条第一款", "#content": "罚款并禁止从事修复施工业务三年",
                    "#licence_action": "无", "#authority_uscc": "11320500MB1234567Y",
                    "#data_source": "苏州市生态环境局行政处罚系统"}


def record_penalty(desk, url: str, number: str, *, ban_until: str | None) -> None:
    """The regulator fills the new-penalty form for the firm and sends it."""
    desk.goto(url + "/regulator/penalties/new")
    check_page(desk)
    desk.check("input[name=subject_kind][value=unit]")
    desk.fill("#subject_uscc", FIRM[1])
    desk.fill("#decision_number", number)
    desk.fill("#decided_on", "2026-11-20")
    desk.check("input[name=kinds][value=fine]")
    desk.fill("#fine_yuan", "200000")
    for selector, value in DOUBLE_PUBLICITY.items():
        desk.fill(selector, value)
    if ban_until:
        desk.check("input[name=kinds][value=practice_ban]")
        desk.select_option("#severity", "serious")
        desk.check("input[name=ban][value=until]")
        desk.fill("#ban_until", ban_until)
        desk.check("input[name=ban_categories][value=remediation_construction]")
    desk.click("main button >> text=登记处罚")
    assert "行政处罚已登记" in check_page(desk), desk.url


def national_feed(page, url: str) -> list[str]:
    """The entry titles of the national feed, as a feed reader fetches it."""
    answer = page.request.get(url + "/feeds/national.atom")
    assert answer.ok and answer.headers["content-type"].startswith("application/atom+xml")
    return [entry.findtext(f"{ATOM}title") for entry in ET.fromstring(answer.body()).iter(f"{ATOM}entry")]


def test_from_the_ban_figure_to_a_firms_feed_which_gains_the_next_penalty(browser, live_server):
    url = live_server.url
    desk = journey_page(browser)
    login(desk, url, "regulator-suzhou")
    check_page(desk)
    record_penalty(desk, url, "苏环罚〔2026〕301号", ban_until="2029-11-19")

    phone = journey_page(browser, phone=True)
    phone.goto(url + "/")
    check_page(phone)
    figure = phone.locator("main a[href='/bans']")
    assert figure.inner_text() == "1"  # the one ban in force: the figure is the list's total
    figure.click()
    bans = check_page(phone)
    assert "正在执行的禁止从业" in bans and "截至" in bans and "共1条记录" in bans
    assert "禁止从业至2029-11-19" in bans and "修复施工" in bans and "苏环罚〔2026〕301号" in bans
    screenshot(phone, "lists-01-ban-list-phone")
    phone.click(f"main a >> text={FIRM[0]}")
    profile = check_page(phone)
    assert FIRM[1] in profile
    alternate = phone.locator("head link[rel=alternate][type='application/atom+xml']").get_attribute("href")
    feed_link = phone.locator("main a[type='application/atom+xml']")
    assert feed_link.get_attribute("href") == alternate == f"/feeds/units/{FIRM[1]}.atom"
    assert "关注本单位" in feed_link.inner_text()
    firm_feed = phone.request.get(url + alternate)
    titles = [e.findtext(f"{ATOM}title") for e in ET.fromstring(firm_feed.body()).iter(f"{ATOM}entry")]
    assert f"{FIRM[0]}：行政处罚 苏环罚〔2026〕301号" in titles
    before = national_feed(phone, url)
    assert f"{FIRM[0]}：行政处罚 苏环罚〔2026〕301号" in before
    assert_every_page_checked(phone)

    record_penalty(desk, url, "苏环罚〔2026〕302号", ban_until=None)
    assert_every_page_checked(desk)
    desk.context.close()
    after = national_feed(phone, url)
    assert f"{FIRM[0]}：行政处罚 苏环罚〔2026〕302号" in after and set(before) < set(after)
    phone.goto(url + "/penalties")
    penalties = check_page(phone)
    assert "苏环罚〔2026〕302号" in penalties and "苏环罚〔2026〕301号" in penalties
    assert_every_page_checked(phone)
    phone.context.close()

    desktop = journey_page(browser)  # the ban list for the README, as a landowner sees it at a desk
    desktop.goto(url + "/bans")
    assert "苏环罚〔2026〕301号" in check_page(desktop)
    docs_screenshot(desktop, "ban-list", full_page=True)
    assert_every_page_checked(desktop)
    desktop.context.close()
