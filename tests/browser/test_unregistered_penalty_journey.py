"""Soil Law art. 90 reaches a person whether or not they registered, in a real browser:
the Suzhou regulator records a serious penalty with a ten-year practice ban on a person the registry has never
seen, filling every double-publicity field; the public page, the API answer and the open-data CSV row then
show every field, the person is marked as not registered, and the full ID number appears nowhere."""
import csv
import io

import pytest

from tests.browser.conftest import assert_every_page_checked, check_page, journey_page, login, screenshot

pytestmark = pytest.mark.browser

ID_NUMBER = "320503198509210316"  # valid (GB 11643), born in 苏州市姑苏区's area, registered nowhere
MASKED = "320503********0316"
DECISION = "苏环罚〔2026〕95号"
FIELDS = {"#subject_name": "孙未登", "#violation_type": "出具虚假报告",
          "#violation": "作为项目负责人在原苏州化工厂地块修复效果评估中篡改检测数据",
          "#basis": "《中华人民共和国土壤污染防治法》第九十条第一款", "#content": "罚款十万元，没收违法所得，禁止从业十年",
          "#fine_yuan": "100000", "#confiscated_yuan": "23456.78", "#licence_action": "无",
          "#authority_uscc": "11320500MB1234567Y", "#data_source": "苏州市生态环境局行政处罚系统"}


def test_a_serious_penalty_with_a_ten_year_ban_on_an_unregistered_person(browser, demo_server):
    url = demo_server.url
    desk = journey_page(browser)
    login(desk, url, "regulator-suzhou")
    check_page(desk)
    desk.goto(url + "/regulator/penalties/new")
    check_page(desk)
    desk.check("input[name=subject_kind][value=person]")
    desk.fill("#subject_id_number", ID_NUMBER)
    desk.fill("#decision_number", DECISION)
    desk.fill("#decided_on", "2026-11-20")
    for kind in ("fine", "confiscation_of_illegal_gains", "practice_ban"):
        desk.check(f"input[name=kinds][value={kind}]")
    desk.select_option("#severity", "serious")
    for selector, value in FIELDS.items():
        desk.fill(selector, value)
    desk.check("input[name=ban][value=until]")
    desk.click("main button >> text=计算公示截止日期")  # the form proposes the lawful ten-year term
    check_page(desk)
    assert desk.input_value("#ban_until") == "2036-11-20"
    desk.fill("#subject_id_number", ID_NUMBER)  # never echoed back into the page
    screenshot(desk, "unregistered-01-penalty-form")
    desk.click("main button >> text=登记处罚")
    recorded = check_page(desk)
    assert "行政处罚已登记，公示截止日期为2029-11-20。" in recorded, recorded[:800]
    assert ID_NUMBER not in desk.content()
    screenshot(desk, "unregistered-02-recorded")
    assert_every_page_checked(desk)
    desk.context.close()

    public = journey_page(browser)
    rows = list(csv.DictReader(io.StringIO(public.request.get(url + "/open-data/penalty.csv").text().lstrip("\ufeff"))))
    row = next(r for r in rows if r["decision_number"] == DECISION)
    assert ID_NUMBER not in public.request.get(url + "/open-data/penalty.csv").text()
    expected = {"party_name": "孙未登", "violation_type": FIELDS["#violation_type"], "violation": FIELDS["#violation"],
                "basis": FIELDS["#basis"], "content": FIELDS["#content"], "licence_action": "无",
                "authority_uscc": FIELDS["#authority_uscc"], "data_source": FIELDS["#data_source"],
                "subject.id_number_masked": MASKED, "id_type": "resident_id_card", "ban.until": "2036-11-20",
                "decided_on": "2026-11-20", "publicity_ends_on": "2029-11-20", "severity": "serious"}
    assert {key: row[key] for key in expected} == expected
    assert float(row["fine_yuan"]) == 100000 and float(row["confiscated_yuan"]) == 23456.78

    public_id = row["subject.public_id"]
    answer = public.request.get(url + f"/api/v1/persons/{public_id}")
    assert ID_NUMBER not in answer.text()
    assert answer.status == 200, (answer.status, answer.headers, answer.text()[:600])
    person = answer.json()
    assert "registered" in person, person
    assert person["registered"] is False and person["id_number_masked"] == MASKED
    item = next(p for p in person["penalties"] if p["decision_number"] == DECISION)
    for key in ("party_name", "violation_type", "violation", "basis", "content", "licence_action", "authority_uscc",
                "data_source"):
        assert item[key] == expected[key], key
    assert item["confiscated_yuan"] == 23456.78 and item["fine_yuan"] == 100000

    public.goto(url + f"/persons/{public_id}")
    page_text = check_page(public)
    assert "未登记：本记录依据行政处罚决定建立" in page_text and "禁止从业" in page_text and "2036-11-20" in page_text
    for value in (FIELDS["#violation_type"], FIELDS["#content"], FIELDS["#authority_uscc"], FIELDS["#data_source"],
                  MASKED, "23,456.78"):
        assert value in page_text, value
    assert ID_NUMBER not in public.content()
    screenshot(public, "unregistered-03-public-page")
    assert_every_page_checked(public)
    public.context.close()
