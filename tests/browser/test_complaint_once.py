"""Issue 12 item 2 in Chromium: a complaint submitted too quickly comes back with its text and goes through on
the second submit; refreshing the receipt, going back and sending the form again all leave one complaint."""
import re
import time

import pytest
import sqlalchemy as sa

from tests.browser.conftest import check_page

pytestmark = pytest.mark.browser

SUJING = "913205001KM2U9AL7Q"
DESCRIPTION = "该项目的修复工程实际并未由该单位实施，业绩信息中的完成日期与事实不符。"


def complaints_filed(database_url: str) -> int:
    from tests.conftest import _psycopg

    engine = sa.create_engine(_psycopg(database_url))
    try:
        with engine.connect() as connection:
            return connection.scalar(sa.text("SELECT count(*) FROM complaint WHERE ref LIKE 'JB%'"))
    finally:
        engine.dispose()


def open_a_project(page, url: str) -> str:
    page.goto(f"{url}/units/{SUJING}")
    href = page.locator('main a[href^="/projects/"]').first.get_attribute("href")
    page.goto(url + href)
    check_page(page)
    return page.url


def test_one_complaint_through_a_quick_submit_a_refresh_the_back_button_and_a_resend(page, demo_server):
    url, database_url = demo_server.url, demo_server.env["DATABASE_URL"]
    before = complaints_filed(database_url)
    project_url = open_a_project(page, url)

    # pasted and sent at once: the form comes back with the text kept, and the second submit files it
    page.fill("#description", DESCRIPTION)
    page.fill("#name", "陈先生")
    page.click('#complaint button[type="submit"]')
    page.wait_for_load_state()
    assert "表单提交过快。请核对举报内容后再次提交。" in page.content()
    assert page.input_value("#description") == DESCRIPTION and page.input_value("#name") == "陈先生"
    assert complaints_filed(database_url) == before
    page.click('#complaint button[type="submit"]')
    page.wait_for_url(re.compile(r"/complaints/JB\d{8}-[0-9A-F]{8}\?check="))
    receipt_url, receipt = page.url, check_page(page)
    assert "举报已受理" in receipt and "陈先生" not in receipt
    assert complaints_filed(database_url) == before + 1

    # a refresh reloads the receipt (a GET), it files nothing
    page.reload()
    assert page.url == receipt_url and "举报已受理" in check_page(page)
    assert complaints_filed(database_url) == before + 1

    # a second, unhurried report on the project; then back to the form and send it again
    page.goto(project_url)
    page.fill("#description", DESCRIPTION + "另有一处不实。")
    time.sleep(3.2)  # longer than the minimum fill time
    page.click('#complaint button[type="submit"]')
    page.wait_for_url(re.compile(r"/complaints/"))
    second_receipt = page.url
    assert second_receipt != receipt_url
    assert complaints_filed(database_url) == before + 2
    page.go_back()
    page.wait_for_load_state()
    assert page.url.startswith(project_url)
    if page.input_value("#description"):  # the browser restored the form, its single-use token with it
        page.click('#complaint button[type="submit"]')
        page.wait_for_load_state()
        assert page.url == second_receipt  # the same receipt, not a new complaint
    assert complaints_filed(database_url) == before + 2
