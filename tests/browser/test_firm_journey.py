"""A firm's first day in a real browser: it registers, signs the commitment, completes its basic information,
adds two staff (one of whom redeems the invitation in her own browser and signs her own letter), records three
projects, and sees on its dashboard the same figures the public sees on its profile."""
import re

import pytest
from stdnum.cn import ric, uscc

from tests.browser.conftest import assert_every_page_checked, check_page, journey_page, screenshot

pytestmark = pytest.mark.browser

PASSWORD = "soil-remediation-2026"
FIRM_USCC = "91320505MA1XK7Q3P" + uscc.calc_check_digit("91320505MA1XK7Q3P")
FIRM_NAME = "苏州姑苏土壤修复有限公司"
LIN = "37020219840312045" + ric.calc_check_digit("37020219840312045" + "0")
WANG = "44030519900101123" + ric.calc_check_digit("44030519900101123" + "0")
LIN_MASKED = LIN[:6] + "********" + LIN[-4:]


def facts(page) -> dict[str, str]:
    """The first list of facts in the page's main part, term by term."""
    texts = page.locator("main dl.facts").first.locator("dt, dd").all_inner_texts()
    return dict(zip(texts[::2], texts[1::2]))


def submit_registration(page, credit_code: str) -> None:
    """Fill in the registration form for the firm of this journey, with this credit code, and send it."""
    page.fill("#uscc", credit_code)
    page.fill("#name", FIRM_NAME)
    page.select_option("#division_code", "320508")  # the province → city → county picker
    page.fill("#legal_representative", "张海")
    page.fill("#contact_email", "office@gusu-soil.example.cn")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.click("main button[type=submit]")


def test_a_firm_registers_signs_adds_staff_records_projects_and_sees_what_the_public_sees(browser, live_server):
    url = live_server.url
    firm = journey_page(browser)

    # It finds registration from the home page.
    firm.goto(url + "/")
    check_page(firm)
    firm.click("header >> text=从业单位注册")
    assert "从业单位注册" in check_page(firm)
    wrong = FIRM_USCC[:17] + ("0" if FIRM_USCC[17] != "0" else "1")  # a typo in the check character
    submit_registration(firm, wrong)
    refused = check_page(firm)
    assert "本次提交未保存任何内容" in refused
    error = firm.locator("#uscc-errors")  # beside its field, and announced with it
    assert "校验" in error.inner_text() and error.is_visible()
    assert firm.get_attribute("#uscc", "aria-invalid") == "true"
    assert "uscc-errors" in firm.get_attribute("#uscc", "aria-describedby")
    assert firm.input_value("#name") == FIRM_NAME and firm.input_value("#password") == ""
    screenshot(firm, "firm-00-registration-error")
    submit_registration(firm, FIRM_USCC)
    assert "单位注册成功" in check_page(firm)

    # The commitment, with the separate consent to publish.
    assert "未签署" in check_page(firm)
    firm.fill("#signer", "张海")
    firm.check("#truthfulness")
    firm.check("#consent_to_publish")
    screenshot(firm, "firm-01-commitment")
    firm.click("main button[type=submit]")
    dashboard = check_page(firm)
    assert "承诺书已签署。" in dashboard and "已签署，已同意公开" in dashboard

    # Basic information the dashboard says is missing.
    firm.click("main >> text=完善基本信息")
    assert "基本情况信息" in check_page(firm)
    firm.fill("#address", "苏州市姑苏区人民路100号")
    firm.fill("#established_on", "2015-03-18")
    firm.check("input[name=categories][value=remediation_construction]")
    firm.check("input[name=categories][value=investigation]")
    firm.click("main button[type=submit]")
    assert "基本信息已保存，原版本已留存。" in check_page(firm)

    # Two staff proposed; each gets a one-time invitation code, and the page shows only masked ID numbers. Each
    # joins the firm only when they confirm it by redeeming their code (DESIGN §3).
    firm.click("nav.room-nav >> text=从业人员")
    check_page(firm)
    codes = {}
    for name, id_number, title in [("林海燕", LIN, "项目负责人"), ("王建国", WANG, "技术负责人")]:
        firm.fill("#name", name)
        firm.fill("#id_number", id_number)
        firm.fill("#title", title)
        firm.click("main button >> text=提议并生成邀请码")
        added = check_page(firm)
        assert f"提议已记录。{name}本人确认后即成为本单位人员" in added
        assert id_number[:6] + "********" + id_number[-4:] in added and id_number not in firm.content()
        codes[name] = firm.inner_text("p.code").strip()
        assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", codes[name])
        if name == "林海燕":
            screenshot(firm, "firm-02-invitation-code")
        firm.click("main >> text=返回从业人员")
    staff = check_page(firm)
    assert "林海燕" in staff and "王建国" in staff and "已提议，待本人确认" in staff and "尚未登记人员" in staff

    # 林海燕 redeems her code in her own browser and signs her own commitment.
    person = journey_page(browser)
    person.goto(url + "/practitioner/invitation")
    assert "凭邀请码创建个人账号" in check_page(person)
    person.fill("#code", codes["林海燕"])
    person.fill("#id_number", LIN)
    person.fill("#username", "linhaiyan")
    person.fill("#password", PASSWORD)
    person.fill("#confirm", PASSWORD)
    person.click("main button[type=submit]")
    person.wait_for_url(url + "/practitioner/me/commitment")
    check_page(person)
    person.fill("#signer", "林海燕")
    person.check("#truthfulness")
    person.check("#consent_to_publish")
    person.click("main button[type=submit]")
    person.goto(url + "/practitioner/me")
    home = check_page(person)
    assert "林海燕" in home and LIN_MASKED in home and FIRM_NAME in home
    assert "已公开：姓名和部分隐去的身份证号码" in home and LIN not in person.content()
    screenshot(person, "firm-03-person-signed")
    assert_every_page_checked(person)
    person.context.close()

    # 王建国 confirms too, with his own code in his own browser.
    colleague = journey_page(browser)
    colleague.goto(url + "/practitioner/invitation")
    check_page(colleague)
    colleague.fill("#code", codes["王建国"])
    colleague.fill("#id_number", WANG)
    colleague.fill("#username", "wangjianguo")
    colleague.fill("#password", PASSWORD)
    colleague.fill("#confirm", PASSWORD)
    colleague.click("main button[type=submit]")
    colleague.wait_for_url(url + "/practitioner/me/commitment")
    check_page(colleague)
    assert_every_page_checked(colleague)
    colleague.context.close()

    firm.reload()
    staff = check_page(firm)
    assert "已开通账号" in staff and "已签署，已同意公开" in staff
    assert "已提议，待本人确认" not in staff and "尚未登记人员" not in staff  # both confirmed: both on the staff

    # Three projects: one finished on time, one finished late, one still running.
    projects = [
        dict(category="remediation_construction", name="原苏州焦化厂东区地块修复施工项目",
             parcel="原苏州焦化厂东区地块", division="320508", area="45200", owner="苏州市土地储备中心",
             industry="C2521", started="2024-03-01", deadline="2025-06-30", completed="2025-06-20",
             people={"林海燕": "responsible_manager", "王建国": "other_responsible"}),
        dict(category="investigation", name="原苏州电镀厂地块土壤污染状况调查项目",
             parcel="原苏州电镀厂地块", division="320506", area="12800", owner="苏州高新区管理委员会",
             industry="C3360", started="2024-09-01", deadline="2025-03-31", completed="2025-04-15",
             people={"林海燕": "responsible_manager"}),
        dict(category="remediation_construction", name="原苏州化工厂地块修复施工项目",
             parcel="原苏州化工厂地块", division="320507", area="88000", owner="苏州城市建设投资集团有限公司",
             industry="C2614", started="2026-05-01", deadline="2027-05-31", completed="",
             people={"王建国": "responsible_manager"}),
    ]
    for project in projects:
        firm.goto(url + "/practitioner/projects/new")
        check_page(firm)
        firm.select_option("#category", project["category"])
        firm.fill("#name", project["name"])
        firm.fill("#parcel_name", project["parcel"])
        firm.select_option("#division_code", project["division"])
        firm.fill("#area_m2", project["area"])
        firm.fill("#owner", project["owner"])
        firm.fill("#former_industry", project["industry"])
        firm.fill("#started_on", project["started"])
        firm.fill("#contract_deadline", project["deadline"])
        if project["completed"]:
            firm.fill("#completed_on", project["completed"])
        for name, role in project["people"].items():
            firm.get_by_label(f"{name}的角色").select_option(role)
        firm.click("main button[type=submit] >> text=保存")
        recorded = check_page(firm)
        assert project["name"] in recorded, recorded[:500]
    screenshot(firm, "firm-04-project-recorded")

    firm.goto(url + "/practitioner/projects")
    listed = check_page(firm)
    assert all(p["name"] in listed for p in projects)

    # The dashboard shows what the public sees: 1 of 2 completed projects on time, no reviews yet.
    firm.click("nav.room-nav >> text=概况")
    dashboard = check_page(firm)
    figures = facts(firm)
    assert figures["按期完成率"] == "1/2 (50.0%)", figures
    assert figures["评审一次性通过率"] == "—" and figures["已登记业绩"] == "3" and figures["在职人员"] == "2"
    assert "可被公众查询到" in dashboard
    screenshot(firm, "firm-05-dashboard")

    public = journey_page(browser)
    public.goto(url + f"/units/{FIRM_USCC}")
    profile = check_page(public)
    assert FIRM_NAME in profile and "张海" in profile and "苏州市姑苏区人民路100号" in profile
    public_figures = facts(public)  # the profile's summary: the same figures as the dashboard
    assert public_figures["按期完成率"].startswith(figures["按期完成率"] + " (")  # followed by the period covered
    assert public_figures["评审一次性通过率"] == figures["评审一次性通过率"] == "—"
    assert public_figures["公开项目"] == figures["已登记业绩"] == "3"
    assert all(p["name"] in profile for p in projects)
    assert "逾期15天" in profile and "按期完成" in profile
    assert "office@gusu-soil.example.cn" not in public.content()
    screenshot(public, "firm-06-public-profile")

    # The project page names the staff with masked ID numbers only.
    public.click(f"text={projects[0]['name']}")
    project_page = check_page(public)
    assert "林海燕" in project_page and LIN_MASKED in project_page and LIN not in public.content()
    assert "C2521" in project_page
    for page in (public, firm):
        assert_every_page_checked(page)
        page.context.close()
