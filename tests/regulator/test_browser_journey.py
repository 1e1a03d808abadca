"""A regulator's day in a real browser (Chromium, the app under gunicorn): sign in, record a review outcome,
record a penalty after previewing its publicity end, verify a complaint, reveal an ID number."""
import json
import subprocess
import sys

import pytest

from tests import factories as f
from tests.browser.conftest import CHROMIUM_ARGS, ROOT, browser, live_server, module_database, page, screenshot  # noqa: F401
from tests.regulator.conftest import PASSWORD, QD_ID

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def seeded(live_server):
    """A Qingdao firm with a project, a person and a complaint, and a Qingdao regulator, loaded by the commands."""
    unit = f.unit_record(name="浏览器测试环境修复有限公司", division_code="370211")
    records = [
        unit,
        f.person_record(unit["uscc"], QD_ID, name="浏览器工程师"),
        f.project_record(unit["uscc"], "BR-P1", name="浏览器测试地块修复工程", division_code="370211",
                         people=[{"id_number": QD_ID, "role": "responsible_manager"}]),
        f.complaint_record("BR-P1", "BR-C1", authority=None, authority_division_code=None),
    ]
    path = live_server.env["SEARCH_INDEX_DIR"] + ".jsonl"
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(json.dumps(r, ensure_ascii=False) for r in records))
    flask = [sys.executable, "-m", "flask"]
    subprocess.run([*flask, "registry", "import", path], cwd=ROOT, env=live_server.env, check=True, capture_output=True)
    subprocess.run([*flask, "accounts", "create-regulator", "--username", "qd-browser", "--name", "王监管",
                    "--division-code", "370200", "--authority", "青岛市生态环境局", "--password", PASSWORD],
                   cwd=ROOT, env=live_server.env, check=True, capture_output=True)
    return {"uscc": unit["uscc"], "url": live_server.url}


def test_a_regulators_day(page, seeded):  # noqa: F811
    url = seeded["url"]
    page.goto(url + "/login")
    page.fill("#username", "qd-browser")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(url + "/regulator/")
    assert "监管工作台" in page.inner_text("h1")
    assert "青岛市生态环境局" in page.inner_text("main")

    page.click("text=项目")
    page.click("text=BR-P1")
    page.select_option("#report_type", "remediation_effect_report")
    page.fill("#round", "1")
    page.fill("#reviewed_on", "2026-11-20")
    page.check("#passed-0")
    page.click("text=登记结果")
    assert "第1轮评审结果已登记" in page.inner_text("main")
    assert "1/1 (100.0%)" in page.inner_text("main")
    screenshot(page, "regulator-project-review-recorded")

    page.goto(url + "/regulator/penalties/new")
    page.fill("#subject_uscc", seeded["uscc"])
    page.fill("#decision_number", "青环罚〔2026〕501号")
    page.fill("#decided_on", "2026-11-20")
    page.check("input[name=kinds][value=warning]")
    page.select_option("#severity", "ordinary")
    for field, value in f.DOUBLE_PUBLICITY.items():
        page.fill(f"#{field}", value)
    page.click("text=计算公示截止日期")
    assert "公示截止日期为2027-11-20" in page.inner_text("main")
    page.click("text=登记处罚")
    assert "行政处罚已登记，公示截止日期为2027-11-20。" in page.inner_text("main")
    screenshot(page, "regulator-penalty-recorded")
    page.click("main >> text=审计记录")
    trail = page.inner_text("main")
    assert "登记行政处罚" in trail and "北京时间" in trail and "警告" in trail and "penalty_recorded" not in trail
    screenshot(page, "regulator-audit-trail-in-words")
    page.goto(url + "/regulator/")
    assert "待答复的举报" in page.inner_text("main") and "BR-C1" in page.inner_text("#queue-complaints")
    screenshot(page, "regulator-desk-work-queue")

    page.goto(url + "/regulator/complaints")
    page.click("text=BR-C1")
    assert "举报人甲" in page.inner_text("main")  # the complainant, for the handling regulator only
    page.select_option("#status", "verifying")
    page.click("text=保存")
    page.select_option("#status", "substantiated")
    page.fill("#finding", "经核查，该项目竣工资料系伪造，举报属实。")
    page.click("text=保存")
    assert "举报核查状态已更新为：属实。" in page.inner_text("main")
    screenshot(page, "regulator-complaint-substantiated")

    page.click("text=浏览器测试地块修复工程")
    page.click("text=浏览器工程师")
    assert "370202********0458" in page.inner_text("main") and QD_ID not in page.content()
    page.click("text=查看完整身份证号码")
    assert QD_ID in page.inner_text("main")
    screenshot(page, "regulator-id-number-revealed")
