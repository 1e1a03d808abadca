"""The Suzhou regulator's day on the demo data, in a real browser: two complaints arrive from the public; the
regulator records a report's review in two rounds, reveals the full ID number of a person on that project,
decides a penalty with a ten-year practice ban, grants credit repair for an older penalty, verifies one
complaint as substantiated (seeing who filed it) and the other as unsubstantiated, withholds a project from
publication, and reads a penalty's audit trail. The public pages then show each outcome."""
import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from registry.security import FULL_ID_NUMBER
from registry.services.demo import regulator_records
from tests.browser.conftest import assert_every_page_checked, check_page, docs_screenshot, journey_page, login, screenshot

pytestmark = pytest.mark.browser

# Deterministic demo records (seed 20261126, 120 firms): Suzhou firms and projects inside the Suzhou bureau's area.
BANNED_FIRM = ("苏州博瑞环境检测有限公司", "91320500U4G790QCGM")
OLDER_PENALTY_FIRM = ("苏州金石环境检测有限公司", "91320500J9GLQKKJ3A")
UNREVIEWED_PROJECT = ("D-126-0000825", "原苏州制药厂地块土壤污染状况调查项目")
COMPLAINED_PROJECTS = [UNREVIEWED_PROJECT[0], "D-126-0000003"]
WITHHELD_PROJECT = ("D-126-0000828", "原苏州钢铁厂地块土壤和地下水监测项目")
BAN_DECISION = "苏环罚〔2026〕88号"
OLDER_DECISION = "苏环罚〔2025〕41号"
COMPLAINANT = "周晓明"  # the first complaint's author gives a name; the second stays anonymous


def open_complaint_form(page, url: str, ref: str, text: str, name: str = "") -> float:
    """A member of the public writes a complaint on a project page; returns when the form was shown."""
    page.goto(url + f"/projects/{ref}")
    check_page(page)
    page.fill("#description", text)
    page.fill("#name", name)
    return time.monotonic()


def submit_complaint(page, shown_at: float) -> str:
    """Sends the complaint (people take more than the form's three-second bot threshold); returns the receipt."""
    time.sleep(max(0.0, 3.2 - (time.monotonic() - shown_at)))
    page.click("main button >> text=提交举报")
    shown = check_page(page)
    receipt = re.search(r"JB\d{8}-[0-9A-F]{8}", shown)
    assert "举报已受理" in shown and "受理编号" in shown and receipt, shown[:600]
    return receipt.group(0)


def firm_first_pass(page) -> tuple[int, int]:
    """The firm's public first-pass rate as the regulator's project page shows it: (passed, total)."""
    shown = page.locator("dt:has-text('单位公开的评审一次性通过率') + dd").inner_text()
    passed, total = re.match(r"(\d+)/(\d+)", shown).groups()
    return int(passed), int(total)


def test_a_regulators_day_on_the_demo_data(browser, demo_server):
    url = demo_server.url
    public, second = journey_page(browser), journey_page(browser)
    shown = [open_complaint_form(page, url, ref, text, name) for page, ref, text, name in zip(
        [public, second], COMPLAINED_PROJECTS, ["该项目的调查工作实际由另一家公司完成，该单位只是挂名，填报的业绩不实。",
                                                "该项目的完成日期与现场情况不符，地块在填报的完成日期之后仍在施工。"],
        [COMPLAINANT, ""])]
    receipts = [submit_complaint(public, shown[0]), submit_complaint(second, shown[1])]
    check_code = public.locator(".check-code").inner_text()  # printed beside the receipt number

    # the complainant follows the complaint: typed from the receipt into the tracking form
    public.click("main >> text=凭受理编号和查验码查询举报办理进度")
    check_page(public)
    public.fill("#receipt", receipts[0])
    public.fill("#check", check_code)
    public.click("main button >> text=查询")
    tracked = check_page(public)
    assert "已受理" in tracked and re.search(r"剩余\d+个工作日", tracked) and COMPLAINANT not in tracked
    tracking_url = public.url
    assert_every_page_checked(second)
    second.context.close()

    desk = journey_page(browser)
    login(desk, url, "regulator-suzhou")
    home = check_page(desk)
    assert "监管工作台" in home and "苏州市生态环境局" in home
    assert re.search(r"^4\s*件举报待核查", home, re.M), home  # the two just filed, and the demo's received and verifying ones
    assert all(receipt in desk.inner_text("#queue-complaints") for receipt in receipts)  # in the desk's work queue

    # 1. A report reviewed twice: failed in the first round, passed in the second. The first round counts.
    desk.click("nav >> text=项目")
    check_page(desk)
    desk.fill("main input[name=q]", UNREVIEWED_PROJECT[0])
    desk.press("main input[name=q]", "Enter")
    assert "共1条" in check_page(desk)
    desk.click(f"main table a >> text={UNREVIEWED_PROJECT[0]}")
    assert "该项目尚未登记评审结果。" in check_page(desk)
    passed_before, total_before = firm_first_pass(desk)
    for round_number, reviewed_on, passed in [(1, "2026-09-10", "no"), (2, "2026-10-20", "yes")]:
        desk.select_option("#report_type", "investigation_report")
        desk.fill("#round", str(round_number))
        desk.fill("#reviewed_on", reviewed_on)
        desk.check(f"input[name=passed][value={passed}]")
        desk.click("main button >> text=登记结果")
        assert f"第{round_number}轮评审结果已登记" in check_page(desk)
    reviews = desk.inner_text("main")
    assert "2026-09-10" in reviews and "2026-10-20" in reviews
    assert firm_first_pass(desk) == (passed_before, total_before + 1)  # one more report, failed at its first round
    screenshot(desk, "regulator-01-two-review-rounds")

    # A person on that project: the ID number masked, shown in full only on an explicit (audited) request.
    desk.click("main li a[href*='/regulator/persons/']:not([href$='/lookup']) >> nth=0")
    masked = re.search(r"\d{6}\*{8}\d{3}[\dX]", check_page(desk)).group(0)
    assert not FULL_ID_NUMBER.search(desk.content())
    desk.click("main button >> text=查看完整身份证号码")
    revealed = FULL_ID_NUMBER.search(check_page(desk))
    assert revealed and (revealed.group(1), revealed.group(2)) == (masked[:6], masked[-4:])
    screenshot(desk, "regulator-01-id-number-revealed")

    # 2. A penalty with a ten-year practice ban, previewed, then recorded.
    desk.goto(url + "/regulator/penalties/new")
    check_page(desk)
    desk.fill("#subject_uscc", BANNED_FIRM[1])
    desk.fill("#decision_number", BAN_DECISION)
    desk.fill("#decided_on", "2026-11-20")
    desk.check("input[name=kinds][value=fine]")
    desk.check("input[name=kinds][value=practice_ban]")
    desk.select_option("#severity", "serious")
    desk.fill("#violation_type", "出具虚假报告")
    desk.fill("#violation", "在原苏州制药厂地块土壤污染状况调查中出具虚假调查报告")
    desk.fill("#basis", "《中华人民共和国土壤污染防治法》第九十条第一款")
    desk.fill("#content", "罚款五十万元，禁止从事土壤污染状况调查业务")
    desk.fill("#fine_yuan", "500000")
    desk.fill("#authority_uscc", "11320500MB1234567Y")
    assert desk.input_value("#data_source") == "苏州市生态环境局"  # prefilled from the regulator's authority
    desk.check("input[name=ban][value=until]")
    desk.fill("#ban_until", "2036-11-19")
    desk.click("main button >> text=计算公示截止日期")
    preview = check_page(desk)
    assert "公示截止日期为2029-11-20" in preview, preview[:800]
    assert "公示期限依据：失信程度“严重”" in preview
    docs_screenshot(desk, "regulator-penalty-form", full_page=True)
    desk.click("main button >> text=登记处罚")
    recorded = check_page(desk)
    assert "行政处罚已登记，公示截止日期为2029-11-20。" in recorded and "2036-11-19" in recorded
    screenshot(desk, "regulator-02-ban-recorded")

    # 3. An older penalty, decided in 2025: its minimum publicity period has passed, so repair may be granted.
    desk.goto(url + "/regulator/penalties/new")
    desk.fill("#subject_uscc", OLDER_PENALTY_FIRM[1])
    desk.fill("#decision_number", OLDER_DECISION)
    desk.fill("#decided_on", "2025-06-02")
    desk.check("input[name=kinds][value=warning]")
    desk.select_option("#severity", "ordinary")
    desk.fill("#violation_type", "未按规定更新信用记录")
    desk.fill("#violation", "未按规定在信用记录系统中更新项目信息")
    desk.fill("#basis", "《建设用地土壤污染风险管控和修复从业单位和个人执业情况信用记录管理办法》")
    desk.fill("#content", "警告")
    assert desk.input_value("#authority_uscc") == "11320500MB1234567Y"  # the authority's code, as last recorded
    desk.click("main button >> text=计算公示截止日期")
    preview = check_page(desk)  # an ordinary penalty under the rules in force on its day: three years
    assert "公示截止日期为2028-06-02；自2025-09-02起可申请信用修复。" in preview and "失信程度“一般”" in preview
    desk.click("main button >> text=登记处罚")
    assert "行政处罚已登记" in check_page(desk)
    desk.goto(url + "/regulator/penalties")
    assert BAN_DECISION in check_page(desk) and OLDER_DECISION in desk.inner_text("main")
    desk.click(f"main >> text={OLDER_DECISION}")
    check_page(desk)
    # Repair is an application: record its date, grounds and materials, then confirm what leaves public view.
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()  # the server's "today"
    desk.click("main >> text=登记或决定信用修复申请")
    desk.fill("#applied_on", today)
    desk.fill("#grounds", "已按要求整改完毕，申请信用修复")
    desk.check("input[name=materials] >> nth=0")
    desk.click("main button >> text=登记申请")
    confirmation = check_page(desk)
    assert OLDER_DECISION in confirmation and "已按要求整改完毕，申请信用修复" in confirmation
    screenshot(desk, "regulator-03-repair-confirmation")
    desk.click("main button >> text=今日准予信用修复")
    repaired = check_page(desk)
    assert "已准予信用修复，该处罚信息已停止公示。" in repaired and f"已于{today}信用修复，不再公示" in repaired
    screenshot(desk, "regulator-03-repair-granted")

    # 4. The audit trail of that penalty: recorded, then repaired, with who did it.
    desk.click("main >> text=审计记录")
    trail = check_page(desk)
    assert OLDER_DECISION in trail and "共3条" in trail
    assert "登记行政处罚" in trail and "登记信用修复申请" in trail and "准予信用修复" in trail
    assert "penalty_recorded" not in trail and "repaired_on" not in trail  # words, not codes
    assert "警告" in trail and "北京时间" in trail  # the penalty's kind in words, the time in Beijing time
    assert re.search(r"登记行政处罚[\s\S]*regulator-suzhou", trail)
    assert re.search(rf"信用修复日期\s+—\s+{today}", trail)
    screenshot(desk, "regulator-04-audit-trail")

    # 5. The two complaints: one substantiated, one not.
    for receipt, outcome, finding in [(receipts[0], "substantiated", "经现场核查和合同比对，该单位未实际承担该项目的调查工作，填报业绩不实。"),
                                      (receipts[1], "unsubstantiated", "经核查竣工验收资料，完成日期属实，举报内容不成立。")]:
        desk.goto(url + "/regulator/complaints")
        check_page(desk)
        desk.click(f"main >> text={receipt}")
        handling = check_page(desk)
        if receipt == receipts[0]:
            assert COMPLAINANT in handling  # who complained: for the handling regulator only, never public
        desk.select_option("#status", "verifying")
        desk.click("main button >> text=保存")
        desk.select_option("#status", outcome)
        desk.fill("#finding", finding)
        desk.click("main button >> text=保存")
        label = {"substantiated": "属实", "unsubstantiated": "不属实"}[outcome]
        assert f"举报核查状态已更新为：{label}。" in check_page(desk)
    screenshot(desk, "regulator-05-complaint-verified")

    # 6. A project withheld from publication, with the legal ground.
    desk.goto(url + "/regulator/projects")
    check_page(desk)
    desk.fill("main input[name=q]", WITHHELD_PROJECT[0])
    desk.press("main input[name=q]", "Enter")
    assert "共1条" in check_page(desk)
    desk.click(f"main table a >> text={WITHHELD_PROJECT[0]}")
    desk.click("main >> text=标记为不予公开")
    check_page(desk)
    desk.select_option("#ground", "third_party")
    desk.fill("#explanation", "涉及业主单位的商业秘密，经业主申请不予公开。")
    desk.click("main button >> text=标记为不予公开")
    assert "不予公开" in check_page(desk)
    assert_every_page_checked(desk)
    desk.context.close()

    # What the public sees now: first the complainant, on the same tracking page
    public.goto(tracking_url)
    tracked = check_page(public)
    assert "属实" in tracked and "该单位未实际承担该项目的调查工作" in tracked and "工作日" not in tracked
    assert COMPLAINANT not in tracked
    screenshot(public, "complaint-tracked")
    public.goto(url + f"/units/{BANNED_FIRM[1]}")
    profile = check_page(public)
    assert "禁止从业" in profile and "2036-11-19" in profile and BAN_DECISION in profile
    assert profile.index("禁止从业") < profile.index("一、基本情况信息")  # the ban comes first
    assert re.search(r"\d+/\d+ \(\d+\.\d%\)", profile)
    docs_screenshot(public, "firm-profile-ban")

    public.goto(url + f"/units/{OLDER_PENALTY_FIRM[1]}")
    assert OLDER_DECISION not in check_page(public)  # repaired: no longer public

    public.goto(url + f"/projects/{COMPLAINED_PROJECTS[0]}")
    flagged = check_page(public)
    assert "填报业绩不实" in flagged and "2026-09-10" in flagged and "2026-10-20" in flagged
    assert COMPLAINANT not in flagged
    docs_screenshot(public, "project", full_page=True)
    public.goto(url + f"/projects/{COMPLAINED_PROJECTS[1]}")
    assert "举报内容不成立" not in check_page(public)  # an unsubstantiated complaint is never public

    response = public.goto(url + f"/projects/{WITHHELD_PROJECT[0]}")
    assert response.status == 404 and WITHHELD_PROJECT[1] not in check_page(public)
    assert_every_page_checked(public)
    public.context.close()


def test_the_suzhou_regulator_finds_its_own_work_on_the_demo_and_tries_repair(browser, demo_server):
    """The demo gives each regulator cases in its own area: on the Suzhou desk, projects awaiting a
    review outcome and complaints; a penalty whose minimum publicity period has passed is repaired, and one whose
    period has not is refused with the first day repair is possible."""
    url = demo_server.url
    day = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the server's "today", from which the demo counts
    suzhou = [r for r in regulator_records(day) if r.get("authority_division_code") == "320500"]
    repairable, not_yet, repaired = [r["decision_number"] for r in suzhou if r["kind"] == "penalty"]
    desk = journey_page(browser)
    login(desk, url, "regulator-suzhou")
    home = check_page(desk)
    for ref in ("DR-320500-002", "DR-320500-003", "DRC-320500-001", "DRC-320500-002"):
        assert ref in home, ref  # the work queues: projects awaiting review, complaints to answer
    screenshot(desk, "regulator-06-demo-desk")

    desk.goto(url + "/regulator/penalties")
    listed = check_page(desk)
    assert repairable in listed and not_yet in listed and repaired in listed
    for decision in (repairable, not_yet):
        desk.goto(url + "/regulator/penalties")
        desk.click(f"main >> text={decision}")
        check_page(desk)
        desk.click("main >> text=登记或决定信用修复申请")
        desk.fill("#applied_on", day.isoformat())
        desk.fill("#grounds", "已缴清罚款并完成整改，申请信用修复")
        desk.check("input[name=materials] >> nth=0")
        desk.click("main button >> text=登记申请")
        assert decision in check_page(desk)
        screenshot(desk, f"regulator-07-demo-repair-{'open' if decision == repairable else 'too-early'}")
        if decision == repairable:
            desk.click("main button >> text=今日准予信用修复")
            assert "已准予信用修复，该处罚信息已停止公示。" in check_page(desk)
        else:  # no grant before the minimum period: the page says from when, and the application is refused
            assert desk.locator("main button >> text=今日准予信用修复").count() == 0
            assert re.search(r"最短公示期届满后，自\d{4}-\d\d-\d\d起方可办理信用修复。", desk.inner_text("main"))
            desk.fill("#reason", "最短公示期尚未届满")
            desk.click("main button >> text=不予修复")
            assert "申请已不予修复，该处罚保持原状。" in check_page(desk)
        screenshot(desk, f"regulator-08-demo-repair-{'granted' if decision == repairable else 'refused'}")
    assert_every_page_checked(desk)
    desk.context.close()
