"""The same pages in English: a reader switches once with the header's language link (or `?lang=en`), and every
page after that, public or signed-in, speaks English with `lang="en"`; the link back to Chinese works too."""
import re

import pytest

from tests.browser.conftest import (assert_every_page_checked, check_page, journey_page, login, press_and_follow,
                                    screenshot)

pytestmark = pytest.mark.browser

SUJING = "913205001KM2U9AL7Q"


def english(page) -> str:
    """The page's checks, in English; its main text."""
    return check_page(page, lang="en")


def test_a_landowner_reads_the_portal_in_english(browser, demo_server):
    url = demo_server.url
    page = journey_page(browser, locale="en-GB")

    page.goto(url + "/")
    check_page(page)
    assert "查询从业单位和个人" in page.title()  # Chinese first, whatever the browser asks for
    page.click("header >> text=English")
    home = english(page)
    assert "This is the public register of the credit records" in home and "In the registry today" in home
    assert page.get_by_label("Firm, person, credit code, project, parcel or owner").is_visible()

    page.fill("#q", "苏净")
    press_and_follow(page)
    results = english(page)
    assert "2 firms found." in results and "First-pass review rate" in results and "Jiangsu" in results

    page.goto(url + "/search?q=焦化&province=32&industry=C25")  # the same filters as the Chinese journey
    filtered = english(page)
    assert re.search(r"\d+ firms? found\.", filtered) and "Sort by" in filtered

    page.click(f'main a[href="/units/{SUJING}"]')
    profile = english(page)
    assert "1. Basic information" in profile and "2. Project performance" in profile
    assert "Legal representative" in profile and re.search(r"On-time rate\s+\d+/\d+ \(\d+(\.\d)?%\)", profile)
    screenshot(page, "english-01-firm-profile")

    page.click("main table a[href^='/projects/']")
    project = english(page)
    assert "Parcel and contract" in project and "Report false performance" in project
    assert "your name and contact are seen only by the verifying authority" in project

    page.click("main a[href^='/persons/']")
    person = english(page)
    assert "ID number" in person and re.search(r"\d{6}\*{8}[\dX]{4}", person)
    assert "Projects by role" in person

    page.goto(url + "/similar?industry=C26&province=32&min_area=20000")
    similar = english(page)
    assert "Matching projects" in similar and "Former industry" in similar
    screenshot(page, "english-02-similar")

    page.click("header >> text=中文")
    assert "做过类似地块的从业单位" in check_page(page)  # back in Chinese, on the same page
    assert_every_page_checked(page)
    page.context.close()


def test_a_firm_and_a_regulator_work_in_english(browser, demo_server):
    url = demo_server.url
    firm = journey_page(browser, locale="en-GB")
    firm.goto(url + "/login?lang=en")
    assert "Sign in" in english(firm)
    login(firm, url, SUJING)
    dashboard = english(firm)
    assert "What the public sees now" in dashboard and "First-pass review rate" in dashboard
    firm.click("nav.room-nav >> text=Staff")
    staff = english(firm)
    assert "Add a person" in staff and "Current staff" in staff
    assert re.search(r"\d{6}\*{8}[\dX]{4}", staff)
    firm.click("nav.room-nav >> text=Projects")
    assert "D-126-" in english(firm)
    assert_every_page_checked(firm)
    firm.context.close()

    desk = journey_page(browser, locale="en-GB")
    desk.goto(url + "/?lang=en")
    english(desk)
    login(desk, url, "regulator-qingdao")
    home = english(desk)
    assert "Regulator desk" in home and "Jurisdiction: Qingdao, Shandong (370200)" in home
    desk.goto(url + "/regulator/penalties/new")
    form = english(desk)
    assert "Decision document number" in form and "Decision date" in form and "Ban ends on" in form
    screenshot(desk, "english-03-penalty-form")
    desk.goto(url + "/regulator/complaints")
    english(desk)
    desk.goto(url + "/regulator/projects")
    assert "D-126-" in english(desk)
    assert_every_page_checked(desk)
    desk.context.close()
