"""The subject's voice, in a real browser on the shared demo data: the demo firm publishes a statement beside a
review outcome about it, and a visitor reads it on the firm's public page, marked as the firm's own; the demo
person asks for a penalty about them to be corrected, the competent regulator refuses with a reason the person
then reads on their own page, and accepts a second request by entering the corrected value, after which the public
page shows the corrected record and says it was corrected."""
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from registry.services.demo import generate_records
from tests.browser.conftest import (assert_every_page_checked, check_page, docs_screenshot, journey_page, login,
                                    screenshot)
from tests.live_server import flask_command

pytestmark = pytest.mark.browser

SUJING = "913205001KM2U9AL7Q"  # the demo firm account
PERSON = ("李文", SUJING)  # the demo person account (person-demo), on the demo firm's staff
STATEMENT = "该报告第一轮评审通过后，我公司按专家意见补充了地下水监测点位，修订稿已报送备案。"
DECISION = "鲁环罚〔2026〕207号"
WRONG, RIGHT = "未按规定报送修复效果评估报告", "未按规定报送土壤污染状况调查报告"
GROUNDS = "处罚决定书原件载明的违法事实是未按规定报送调查报告，不是效果评估报告，请核对决定书。"


def test_a_firm_publishes_a_statement_and_a_visitor_reads_it(browser, demo_server):
    url = demo_server.url
    firm = journey_page(browser)
    login(firm, url, SUJING)
    check_page(firm)
    firm.click("nav.room-nav >> text=关于我的记录")
    assert "评审结果" in check_page(firm)
    firm.click("main a >> text=添加说明")
    check_page(firm)
    firm.fill("#text", STATEMENT)
    firm.click("main button >> text=发布说明")
    records = check_page(firm)
    assert "您的说明已在该记录旁公开" in records and STATEMENT in records
    assert_every_page_checked(firm)
    firm.context.close()

    visitor = journey_page(browser)
    visitor.goto(url + f"/units/{SUJING}#reviews")
    profile = check_page(visitor)
    assert "当事人说明" in profile and STATEMENT in profile and "未经主管部门核实" in profile
    visitor.locator(".subject-statement").first.scroll_into_view_if_needed()
    docs_screenshot(visitor, "subject-statement")
    visitor.goto(url + f"/units/{SUJING}?lang=en#reviews")
    assert "Statement by the subject" in check_page(visitor, lang="en")
    assert_every_page_checked(visitor)
    visitor.context.close()


def person_penalty(server, tmp_path) -> None:
    """The Shandong department's penalty on the demo person, as its bulk import loads it (the registry's own import
    service); the person's full ID number comes from the demo's deterministic records."""
    number = next(r["id_number"] for r in generate_records(120)
                  if r["kind"] == "person" and (r["name"], r.get("unit_uscc")) == PERSON)
    decided = (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(days=20)).date().isoformat()
    penalty = {"kind": "penalty", "decision_number": DECISION, "subject": {"id_number": number},
               "authority": "山东省生态环境厅", "authority_division_code": "370000", "decided_on": decided,
               "kinds": ["fine"], "severity": "ordinary", "fine_yuan": 20000, "violation": WRONG,
               "basis": "《中华人民共和国土壤污染防治法》第八十九条"}
    source = tmp_path / "penalty.jsonl"
    source.write_text(json.dumps(penalty, ensure_ascii=False) + "\n", encoding="utf-8")
    loaded = flask_command(server.env, "registry", "import", str(source))
    assert loaded.returncode == 0, loaded.stderr[-2000:]


def ask_for_correction(person, url: str) -> str:
    """The person opens the records about them and sends a correction request with grounds."""
    person.goto(url + "/practitioner/records")
    assert DECISION in check_page(person)
    person.click(f"section.record:has-text('{DECISION}') >> text=申请更正")
    check_page(person)
    person.fill("#grounds", GROUNDS)
    person.click("main button >> text=提交申请")
    return check_page(person)


def decide(desk, url: str, decision: str, **fields) -> str:
    """The regulator opens the oldest waiting request from its one queue and decides it."""
    desk.goto(url + "/regulator/corrections")
    check_page(desk)
    desk.click("#records ~ ul a")
    assert GROUNDS in check_page(desk)
    desk.select_option("#decision", decision)
    for selector, value in fields.items():
        desk.fill(selector, value)
    desk.click("main button >> text=处理")
    return check_page(desk)


def test_a_person_is_refused_then_corrected_and_the_public_page_says_so(browser, demo_server, tmp_path):
    url = demo_server.url
    person_penalty(demo_server, tmp_path)
    person = journey_page(browser)
    login(person, url, "person-demo")
    check_page(person)
    assert "等待主管部门处理" in ask_for_correction(person, url)

    desk = journey_page(browser)
    login(desk, url, "regulator-shandong")
    check_page(desk)
    desk.goto(url + "/regulator/corrections")
    queue = check_page(desk)
    assert "评审结果、行政处罚、核实结论的更正申请" in queue
    desk.locator("#records").scroll_into_view_if_needed()
    docs_screenshot(desk, "regulator-corrections")
    refused = decide(desk, url, "refuse", **{"#note": "决定书原件载明的违法事实与登记一致，不予更正。"})
    assert "申请已处理" in refused and "不予更正" in refused

    person.goto(url + "/practitioner/me")
    home = check_page(person)
    assert "主管部门的理由" in home and "决定书原件载明的违法事实与登记一致" in home
    ask_for_correction(person, url)
    accepted = decide(desk, url, "accept", **{"#violation": RIGHT})
    assert "申请已处理" in accepted and RIGHT in accepted and WRONG in accepted  # before and after, side by side
    screenshot(desk, "voice-correction-accepted")

    public_id = person.request.get(url + "/api/v1/persons?q=李文").json()["items"][0]["public_id"]
    visitor = journey_page(browser)
    visitor.goto(url + f"/persons/{public_id}")
    shown = check_page(visitor)
    assert DECISION in shown and RIGHT in shown and WRONG not in shown and "应当事人申请更正" in shown
    for page in (person, desk, visitor):
        assert_every_page_checked(page)
        page.context.close()
