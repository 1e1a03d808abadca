"""A complaint in Chromium (on its own server and data, independent of the demo): a complaint submitted too quickly comes back with its text and goes through on
the second submit; refreshing the receipt, going back and sending the form again all leave one complaint."""
import json
import re
import time

import pytest
import sqlalchemy as sa

from tests.browser.conftest import check_page
from tests.factories import make_uscc, project_record, unit_record
from tests.live_server import flask_command

pytestmark = pytest.mark.browser

FIRM = make_uscc("370200", 601)
DESCRIPTION = "该项目的修复工程实际并未由该单位实施，业绩信息中的完成日期与事实不符。"


def complaints_filed(database_url: str) -> int:
    from tests.conftest import _psycopg

    engine = sa.create_engine(_psycopg(database_url))
    try:
        with engine.connect() as connection:
            return connection.scalar(sa.text("SELECT count(*) FROM complaint WHERE ref LIKE 'JB%'"))
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def public_project(live_server, tmp_path_factory):
    """A signed firm and one public project, loaded with `flask registry import` into this module's server."""
    path = tmp_path_factory.mktemp("records") / "records.jsonl"
    records = [unit_record(FIRM, name="青岛举报测试修复有限公司", division_code="370211"),
               project_record(FIRM, "CP-1", name="举报测试地块修复工程")]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    loaded = flask_command(live_server.env, "registry", "import", str(path))
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    return f"{live_server.url}/projects/CP-1"


def test_one_complaint_through_a_quick_submit_a_refresh_the_back_button_and_a_resend(page, live_server,
                                                                                    public_project):
    database_url, project_url = live_server.env["DATABASE_URL"], public_project
    before = complaints_filed(database_url)
    # pasted and sent at once: the form comes back with the text kept, and the second submit files it (the page is
    # checked once it is back, the same form: checking it first could outlast the minimum fill time on a busy machine)
    # (filled and sent from the page's script as soon as its document is parsed: typing through the driver could
    # itself outlast the minimum fill time on a busy machine)
    page.goto(project_url, wait_until="domcontentloaded")
    with page.expect_navigation():
        page.evaluate("""([description, name]) => {
            document.querySelector("#description").value = description;
            document.querySelector("#name").value = name;
            document.querySelector('#complaint button[type="submit"]').click();
        }""", [DESCRIPTION, "陈先生"])
    page.wait_for_load_state()
    assert "表单提交过快。请核对举报内容后再次提交。" in check_page(page)
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
    assert page.input_value("#description")  # Chromium restored the form, its single-use token with it
    page.click('#complaint button[type="submit"]')
    page.wait_for_load_state()
    assert page.url == second_receipt  # the same receipt, not a new complaint
    assert complaints_filed(database_url) == before + 2
