"""Forms in Chromium with JavaScript switched off: one submit shows every error, the typed credit code
and ID number stay in their fields, "45,000" is an area, and the division is picked province → city → county
from a grouped list that needs no script."""
import pytest
from stdnum.cn import ric, uscc

from tests.browser.conftest import assert_every_page_checked, check_page, journey_page

pytestmark = pytest.mark.browser

PASSWORD = "soil-remediation-2026"
FIRM_USCC = "91320508MA1XK7Q3P" + uscc.calc_check_digit("91320508MA1XK7Q3P")  # characters 3–8: 320508 姑苏区
LIN = "37020219840312045" + ric.calc_check_digit("37020219840312045" + "0")


def errors(page, field: str) -> str:
    locator = page.locator(f"#{field}-errors")
    return locator.inner_text() if locator.count() else ""


def test_one_submit_shows_every_error_and_keeps_what_was_typed_without_javascript(browser, live_server):
    url = live_server.url
    firm = journey_page(browser, javascript=False)

    firm.goto(url + "/practitioner/register")
    check_page(firm)
    picker = firm.locator("select#division_code")
    assert picker.locator("optgroup[label='江苏省 苏州市'] option[value='320508']").count() == 1
    # One submit with four mistakes: the check character, no name, a malformed e-mail, no division.
    typed = FIRM_USCC[:17].lower() + ("0" if FIRM_USCC[17] != "0" else "1")
    firm.fill("#uscc", typed)
    firm.fill("#contact_email", "office-at-gusu")
    firm.fill("#legal_representative", "张海")
    firm.fill("#password", PASSWORD)
    firm.fill("#confirm", PASSWORD)
    firm.click("main button[type=submit]")
    check_page(firm)
    assert "校验" in errors(firm, "uscc") and errors(firm, "name") and errors(firm, "contact_email")
    assert firm.input_value("#uscc") == typed  # kept, to be corrected
    assert firm.input_value("#division_code") == "320508"  # chosen from characters 3–8 of the code

    firm.fill("#uscc", " ".join([FIRM_USCC[:6].lower(), FIRM_USCC[6:]]))  # lower case and a space: accepted
    firm.fill("#name", "苏州姑苏表单修复有限公司")
    firm.fill("#contact_email", "office@gusu-forms.example.cn")
    firm.fill("#password", PASSWORD)
    firm.fill("#confirm", PASSWORD)
    firm.click("main button[type=submit]")
    assert "单位注册成功" in check_page(firm)

    firm.goto(url + "/practitioner/staff")
    check_page(firm)
    firm.fill("#id_number", LIN)
    firm.click("main button[type=submit]")
    check_page(firm)
    assert errors(firm, "name") and firm.input_value("#id_number") == LIN

    # A project with three mistakes in one submit, and the area as the site itself writes it.
    firm.goto(url + "/practitioner/projects/new")
    check_page(firm)
    assert firm.input_value("#division_code") == "320508"  # the firm's own county, chosen already
    assert firm.locator("select#division_code option[value='320500']").count() == 0  # a parcel is in a county
    firm.select_option("#category", "risk_assessment")
    firm.fill("#name", "苏州某化工厂地块风险评估")
    firm.select_option("#division_code", "320506")
    firm.fill("#area_m2", "45,000")
    firm.fill("#former_industry", "Z9999")
    firm.fill("#started_on", "2025-03-01")
    firm.fill("#contract_deadline", "2025-01-31")
    firm.fill("#completed_on", "2099-01-01")
    firm.click("main button[type=submit] >> text=保存")
    check_page(firm)
    assert errors(firm, "former_industry") and "晚于今天" in errors(firm, "completed_on")
    assert "不能早于开始日期" in errors(firm, "contract_deadline")
    assert not errors(firm, "area_m2") and firm.input_value("#area_m2") == "45,000"
    assert firm.input_value("#division_code") == "320506"

    firm.fill("#former_industry", "C2614")
    firm.fill("#contract_deadline", "2025-10-31")
    firm.fill("#completed_on", "2025-10-20")
    firm.click("main button[type=submit] >> text=保存")
    recorded = check_page(firm)
    assert "苏州某化工厂地块风险评估" in recorded and "45,000.00" in recorded
    assert_every_page_checked(firm)
    firm.context.close()
