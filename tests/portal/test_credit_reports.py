"""The verifiable credit report: issued from a profile with a purpose, stored append-only with the digest of its
content, shown as HTML and PDF with the same content, and verified against today's public record."""
import json
import re
import shutil

import pytest
from sqlalchemy import func, select, text

from registry.extensions import db as _db
from registry.models import AuditEvent, CreditReport, RateLimitHit
from registry.queries.credit_reports import unit_report_content
from registry.rules.credit_reports import canonical_json, content_digest
from tests.factories import complaint_record, create, penalty_record, review_record
from tests.pdf import pdf_fonts, pdf_text
from tests.portal.conftest import JIAOHUA, JINGHUA, JINGTU, LI_ID, LVYUAN, SUJING, WANG_ID, YUEQING

NUMBER = re.compile(r"XYBG(-[0-9A-Z]{4}){4}")


def issue(client, path: str, purpose: str = "") -> str:
    """Issue a report through the profile's form; the number it redirected to."""
    response = client.post(f"{path}/report", data={"purpose": purpose})
    assert response.status_code == 303, response.get_data(as_text=True)[:600]
    location = response.headers["Location"]
    assert location.startswith("/reports/")
    return location.rsplit("/", 1)[-1]


def stored(number: str) -> CreditReport:
    _db.session.expire_all()
    return _db.session.scalar(select(CreditReport).where(CreditReport.number == number))


def person_public_id(name: str) -> str:
    from registry.models import Person
    return _db.session.scalar(select(Person.public_id).where(Person.name == name))


def test_a_firms_report_is_issued_from_its_profile_and_stored_with_the_digest_of_its_content(client, registry_data):
    profile = client.get(f"/units/{SUJING}").get_data(as_text=True)
    assert f'href="/units/{SUJING}/report"' in profile
    form = client.get(f"/units/{SUJING}/report")
    assert form.status_code == 200 and "江苏苏净环保科技有限公司" in form.get_data(as_text=True)
    number = issue(client, f"/units/{SUJING}", "用于：苏州某地块修复工程施工招标")
    assert NUMBER.fullmatch(number)
    row = stored(number)
    assert (row.subject_kind, row.as_of.isoformat(), row.valid_until.isoformat(), row.purpose) == \
        ("unit", "2026-11-26", "2026-12-25", "苏州某地块修复工程施工招标")
    assert row.content_sha256 == content_digest(row.content) and canonical_json(json.loads(row.content)) == row.content
    assert json.loads(row.content) == unit_report_content(SUJING).content  # exactly what the report shows today
    assert row.data_generation >= 1
    event = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "credit_report_issued"))
    assert event.after["number"] == number and event.after["content_sha256"] == row.content_sha256


def test_the_report_shows_the_five_categories_as_public_that_day_rates_with_periods_and_bans_first(
        client, registry_data):
    page = client.get(f"/reports/{issue(client, f'/units/{SUJING}', '苏州某地块招标')}").get_data(as_text=True)
    for shown in ("江苏苏净环保科技有限公司", "苏州某农药厂地块修复工程", "无锡某焦化厂地块风险评估", "南京某电镀厂地块调查",
                  "1/2 (50.0%) (2024-05-01至2024-07-01)",  # first rounds: SU-1 passed, SU-2 failed
                  "1/2 (50.0%) (2024-04-10至2024-06-01)", "用于：苏州某地块招标", "（北京时间）", "数据截止日期",
                  "2026-11-26", "有效期至", "2026-12-25", "<svg", "/verify/XYBG-"):
        assert shown in page, shown
    assert "经核查，举报内容不属实" not in page  # an unsubstantiated complaint is not public
    banned = client.get(f"/reports/{issue(client, f'/units/{JIAOHUA}')}").get_data(as_text=True)
    assert banned.index("禁止从业至2027-12-31") < banned.index("概况") < banned.index("一、基本情况信息")
    assert "晋环罚〔2026〕5号" in banned and "500,000.00" in banned


def test_a_report_holds_only_what_is_public(client, registry_data):
    content = json.loads(stored(issue(client, f"/units/{LVYUAN}")).content)
    assert [p["ref"] for p in content["projects"]] == ["LY-2", "LY-1"] or \
        sorted(p["ref"] for p in content["projects"]) == ["LY-1", "LY-2"]  # LY-3 is withheld
    assert content["penalties"] == [] and content["bans"] == []  # a minor penalty is not published
    assert [f["project_ref"] for f in content["findings"]] == ["LY-1"]  # the substantiated finding only
    assert "尚未核实的举报内容" not in json.dumps(content, ensure_ascii=False)
    withheld = json.loads(stored(issue(client, f"/units/{YUEQING}")).content)
    assert withheld["basic"] is None and withheld["projects"] == [] and len(withheld["penalties"]) == 1
    lifetime = json.loads(stored(issue(client, f"/units/{JINGHUA}")).content)
    assert lifetime["bans"] == [{"decision_number": "京环罚〔2025〕1号", "until": None, "lifetime": True}]
    assert lifetime["penalties"][0]["ban_only"] is True  # publicity ended; the ban is shown while it lasts
    assert client.get(f"/units/{JINGTU}/report").status_code == 404  # not listed: no report
    assert client.post(f"/units/{JINGTU}/report", data={"purpose": ""}).status_code == 404
    assert _db.session.scalar(select(func.count()).select_from(CreditReport)) == 3


def test_a_persons_report_shows_the_masked_number_only(client, registry_data):
    public_id = person_public_id("王建国")
    assert f'href="/persons/{public_id}/report"' in client.get(f"/persons/{public_id}").get_data(as_text=True)
    number = issue(client, f"/persons/{public_id}", "某地块调查招标")
    page = client.get(f"/reports/{number}").get_data(as_text=True)
    content = json.loads(stored(number).content)
    assert content["id_number_masked"] == WANG_ID[:6] + "********" + WANG_ID[-4:]
    assert WANG_ID not in page and WANG_ID not in stored(number).content and WANG_ID[6:14] not in page
    assert content["first_pass"] == {"part": 1, "total": 2, "period": ["2024-05-01", "2024-07-01"]}
    assert sorted((p["ref"], p["role"]) for p in content["projects"]) == [
        ("SU-1", "responsible_manager"), ("SU-2", "other_responsible")]
    unsigned = person_public_id("李四")
    assert json.loads(stored(issue(client, f"/persons/{unsigned}")).content)["basic"] is None
    assert LI_ID not in client.get(f"/reports/{stored(issue(client, f'/persons/{unsigned}')).number}").get_data(
        as_text=True)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by .ci/run")
def test_the_pdf_has_the_same_content_and_embeds_the_cjk_font(client, registry_data):
    number = issue(client, f"/units/{JIAOHUA}", "太原某地块招标")
    response = client.get(f"/reports/{number}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{number}.pdf"'
    words = pdf_text(response.get_data())
    for shown in (number, "山西焦化土壤修复有限公司", "禁止从业至2027-12-31", "晋环罚〔2026〕5号", "太原某焦化厂地块风险评估",
                  "用于：太原某地块招标", "1/1 (100.0%)", "2026-12-25", f"/verify/{number}"):
        assert shown in words, shown
    fonts = pdf_fonts(response.get_data())
    assert any("WenQuanYi-Micro-Hei" in name for name, _ in fonts) and all(embedded for _, embedded in fonts)


def test_a_stored_report_cannot_be_changed_or_deleted(client, registry_data):
    number = issue(client, f"/units/{SUJING}")
    row = stored(number)
    before = (row.content, row.content_sha256, row.purpose)
    row.purpose = "改写后的用途"
    with pytest.raises(Exception, match="cannot be changed or deleted"):
        _db.session.commit()
    _db.session.rollback()
    _db.session.delete(stored(number))
    with pytest.raises(Exception, match="cannot be changed or deleted"):
        _db.session.commit()
    _db.session.rollback()
    assert (stored(number).content, stored(number).content_sha256, stored(number).purpose) == before
    again = issue(client, f"/units/{SUJING}")  # the same record again is a new report, the first untouched
    assert again != number and stored(number).content == stored(again).content
    assert [name for name in vars(__import__("registry.services.credit_reports", fromlist=["x"]))
            if re.match(r"(update|change|delete|remove|edit)", name)] == []  # no such path in the service


def tamper(number: str) -> None:
    """What only someone with the database in hand can do: switch off the append-only trigger and edit a row."""
    _db.session.rollback()  # the test's own read transaction ends, as each request's does
    sqlite = _db.engine.dialect.name == "sqlite"
    with _db.engine.begin() as connection:
        if sqlite:
            connection.execute(text("DROP TRIGGER credit_report_no_update"))
        else:
            connection.execute(text("ALTER TABLE credit_report DISABLE TRIGGER credit_report_append_only"))
        connection.execute(text("UPDATE credit_report SET content = replace(content, :old, :new) WHERE number = :n"),
                           {"old": '"first_pass":{"part":1', "new": '"first_pass":{"part":2', "n": number})


def test_a_tampered_report_is_told_not_genuine(client, registry_data):
    number = issue(client, f"/units/{SUJING}")
    tamper(number)
    verify = client.get(f"/verify/{number}")
    assert verify.status_code == 200
    page = verify.get_data(as_text=True)
    assert "不真实" in page and "有效期至" not in page
    assert "不真实" in client.get(f"/reports/{number}").get_data(as_text=True)
    english = client.get(f"/verify/{number}?lang=en").get_data(as_text=True)  # the last request: keeps English
    assert "Not genuine" in english and "Genuine</strong>" not in english


def test_verify_says_genuine_and_valid_then_lists_what_changed_since(app, client, registry_data):
    number = issue(client, f"/units/{SUJING}", "苏州某地块招标")
    page = client.get(f"/verify/{number}").get_data(as_text=True)
    assert "真实" in page and "有效期至2026-12-25" in page and "无：当前公开记录与报告所载一致" in page
    create(penalty_record({"uscc": SUJING}, "苏环罚〔2026〕21号", decided_on="2026-11-20", kinds=["fine", "practice_ban"],
                          ban={"until": "2028-06-30"}),
           review_record("SU-3", 1, True, report_type="investigation_report", reviewed_on="2026-11-25"),
           complaint_record("SU-2", "C-NEW", status="substantiated", verified_on="2026-11-24"))
    page = client.get(f"/verify/{number}").get_data(as_text=True)
    for change in ("新增行政处罚：2026-11-20作出的处罚决定苏环罚〔2026〕21号。",
                   "新增禁止从业：处罚决定苏环罚〔2026〕21号，禁止从业至2028-06-30。",
                   "新增报告评审结果：南京某电镀厂地块调查 (SU-3)（2026-11-25评审）。",
                   "新增虚假业绩举报核实：无锡某焦化厂地块风险评估 (SU-2)（2026-11-24核实）。"):
        assert change in page, change
    english = app.test_client().get(f"/verify/{number}?lang=en").get_data(as_text=True)
    assert "New administrative penalty: decision 苏环罚〔2026〕21号 of 2026-11-20." in english
    assert "Genuine" in english and "Valid until 2026-12-25." in english
    app.config["TODAY"] = "2026-12-26"  # a day past its validity
    expired = client.get(f"/verify/{number}").get_data(as_text=True)
    assert "已过期" in expired and "真实" in expired


def test_unknown_and_malformed_numbers_are_told_so_plainly(client, registry_data):
    number = issue(client, f"/units/{SUJING}")
    unknown = "XYBG-0000-0000-0000-0000"
    for path in (f"/verify/{unknown}", f"/reports/{unknown}", f"/reports/{unknown}.pdf"):
        response = client.get(path)
        assert response.status_code == 404 and "本系统未出具编号为XYBG-0000-0000-0000-0000的信用报告" in \
            response.get_data(as_text=True), path
    for bad in ("not-a-number", "XYBG-1234", "%E2%80%AE", "x" * 300):
        response = client.get(f"/verify/{bad}")
        assert response.status_code == 404 and "这不是信用报告编号" in response.get_data(as_text=True)
    loose = number.lower().replace("-", " ")
    assert client.get(f"/verify/{loose}").headers["Location"] == f"/verify/{number}"
    assert client.get("/verify", query_string={"number": loose}).headers["Location"] == f"/verify/{number}"
    assert client.get("/verify", query_string={"number": "XYBG-12"}).status_code == 404
    assert client.get("/verify").status_code == 200
    assert client.get(f"/reports/{number.lower()}").headers["Location"] == f"/reports/{number}"


def test_issuing_is_rate_limited_per_address_and_a_refusal_writes_nothing(app, client, registry_data):
    app.config["REPORTS_PER_ADDRESS_PER_HOUR"] = 2
    issue(client, f"/units/{SUJING}")
    issue(client, f"/units/{SUJING}")
    refused = client.post(f"/units/{SUJING}/report", data={"purpose": ""})
    assert refused.status_code == 429 and "过多" in refused.get_data(as_text=True)
    other = app.test_client()
    assert other.post(f"/units/{SUJING}/report", data={"purpose": ""},
                      environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 303  # another address
    assert _db.session.scalar(select(func.count()).select_from(CreditReport)) == 3
    assert _db.session.scalar(select(func.count()).select_from(RateLimitHit)) == 3
    hashes = set(_db.session.scalars(select(RateLimitHit.address_hmac)))
    assert "127.0.0.1" not in " ".join(hashes) and len(hashes) == 2


@pytest.mark.parametrize("purpose", ["第一行\n第二行", "字" * 101, "招标\u202e", "\x07"])
def test_a_bad_purpose_is_refused_with_its_reason_and_nothing_is_written(client, registry_data, purpose):
    response = client.post(f"/units/{SUJING}/report", data={"purpose": purpose})
    assert response.status_code == 400
    assert "用途" in response.get_data(as_text=True) or "100" in response.get_data(as_text=True)
    assert _db.session.scalar(select(func.count()).select_from(CreditReport)) == 0
    assert _db.session.scalar(select(func.count()).select_from(RateLimitHit)) == 0
