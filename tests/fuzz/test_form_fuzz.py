"""Every form fuzzed: each POST rule of the URL map gets generated field values (a valid
submission with some fields replaced by hostile text, huge or control-character strings, NUL bytes, bad dates,
negative and huge numbers, unknown codes, repeated or missing fields) from the role it belongs to. No answer is a
5xx, and a refused form changes no table (only the audit log and the failed-login counter record a refusal).
A POST rule that is neither fuzzed here nor excluded with a reason fails the first test."""
import json
import logging
import re
from dataclasses import dataclass, field
from io import BytesIO
from typing import Callable
from urllib.parse import quote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from public_portal.forms import form_started_token
from tests import factories as f
from tests.fuzz.conftest import GENERATED, budget, fuzzing, generated, row_counts
from tests.practitioner.conftest import GAO, LIN, PASSWORD, QINGDAO, firm_data, hire, register, shown_code, sign
from tests.practitioner.test_details import DETAILS
from tests.practitioner.test_projects import PROJECT
from tests.regulator.conftest import HF_ID, QD_ID, login_as, world  # noqa: F401 (the `world` fixture)
from tests.regulator.conftest import PASSWORD as STAFF_PASSWORD

# Tables a refusal writes on purpose: the audit event of a denied access or a failed login, the failed-login
# counter the lockout reads, and the complaint form's and the credit report's per-address counters.
WRITTEN_ON_REFUSAL = {"audit_event", "login_attempt", "rate_limit_hit"}

# POST rules with nothing to fuzz, and why.
EXCLUDED = {
    "auth.logout": "no fields (a button); ending the session is proved in tests/test_auth.py",
    "auth.second_factor_step": "answers only a session whose password was right a moment ago; wrong, reused, "
                               "malformed and locked-out codes are proved in tests/test_second_factor.py",
    "practitioner.confirm_proposal": "no fields (a button); whose proposal a person may confirm is proved in "
                                     "tests/practitioner/test_staff.py",
    "regulator.confirm_registration": "no fields (a button); who may confirm is proved in "
                                      "tests/regulator/test_registration_confirmation.py",
    "regulator.suspend_registration": "a reason only; refusals and the audit are proved in "
                                      "tests/regulator/test_registration_confirmation.py",
    "regulator.hand_over_registration": "a reason only; refusals and the audit are proved in "
                                        "tests/regulator/test_registration_confirmation.py",
    "regulator.lift_withhold": "a reason only; who may lift is proved in tests/regulator/test_withholding_scope.py",
    "regulator.correction": "a decision and a note; refusals are proved in tests/regulator/test_corrections.py",
    "practitioner.withdraw_statement": "no fields (a button); who may withdraw, and that the versions stay, is "
                                       "proved in tests/regulator/test_subject_voice.py",
    "practitioner.cease": "a date and a tick; the date rule and the refusals are proved in "
                          "tests/practitioner/test_change_dates.py and tests/test_exchange.py",
}

# -- generated values ---------------------------------------------------------------------------------------

TEXT = st.characters(exclude_categories=["Cs"])  # the test client sends UTF-8: no lone surrogates
# Special numeric strings for every numeric parameter: sNaN and a 400-digit integer were
# 500s that the fuzzing missed, because WTForms' NumberRange calls math.isnan on them.
SPECIAL_NUMBERS = st.one_of(
    st.sampled_from(["NaN", "-NaN", "nan", "sNaN", "-sNaN", "Infinity", "-Infinity", "inf", "-0", "-0.0", "0E-500",
                     "1e999999", "-1e999999", "1e-999999", "9e30", "1e-400", "9" * 400, "-" + "9" * 400,
                     "0." + "0" * 399 + "1", "999999999999.99", "1000000000000", "0.005"]),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(1, 400).map(lambda digits: "9" * digits))
HOSTILE = st.one_of(
    SPECIAL_NUMBERS,
    st.text(TEXT, max_size=30),
    st.text(st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Zs"]), min_size=1, max_size=10),
    st.text(TEXT, max_size=8).map(lambda t: t + "\x00"),
    st.builds(lambda text, times: text * times, st.text(TEXT, min_size=1, max_size=3), st.integers(100, 12_000)),
    st.sampled_from([
        "", " ", "-1", "0", "-0", "1e400", "NaN", "Infinity", "99999999999999999999", "12.345", "1,000", "１２",
        str(2**63), str(-2**63 - 1), "0001-01-01", "9999-12-31", "1899-12-31", "2026-02-30", "2026-13-01",
        "26-1-1", "2026/01/01", "２０２６-０１-０１", "unknown", "none", "y", "yes", "on", "true", "false", "000000",
        "999999", "37020", "3702021", "370202", "110000", "C", "C26", "Z9999", "<script>alert(1)</script>",
        "' OR 1=1 --", "%00", "../../etc/passwd", "{{7*7}}", QINGDAO, QINGDAO.lower(), QINGDAO[:-1] + "1",
        LIN, LIN[:-1] + ("0" if LIN[-1] != "0" else "1"), QD_ID, HF_ID, f.make_id_number("370202", "20991231", 1),
        f.make_uscc("370200", 4242)]),
    st.dates().map(lambda d: d.isoformat()),
    st.integers(-2**70, 2**70).map(str),
)
ABSENT = object()  # a field left out of the request


def overflowing(rule: str) -> str:
    """The rule with an id past the 64-bit integers: the driver raised OverflowError (a 500) on it until the URL
    map bounded its ids."""
    return rule.format(2**63)



@st.composite
def mutated(draw, valid: dict, specific: dict | None = None):
    """The valid submission with one to three of its fields replaced, removed or repeated, and maybe an unknown
    field added; or, now and then, every field hostile. (A replacement may still be valid: about one submission in
    five is accepted, enough to exercise every service without re-indexing the firm on most examples.)"""
    specific = specific or {}
    data = dict(valid)
    names = list(valid)
    if names and draw(st.integers(0, 9)) == 0:
        chosen = names
    else:
        chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)) if names else []
    for name in chosen:
        value = draw(st.one_of(HOSTILE, specific.get(name, HOSTILE), st.just(ABSENT),
                               st.lists(HOSTILE, min_size=2, max_size=3)))
        if value is ABSENT:
            del data[name]
        else:
            data[name] = value
    if draw(st.integers(0, 9)) == 0:
        data[draw(st.text(TEXT, min_size=1, max_size=10))] = draw(HOSTILE)
    return data


# -- the forms ----------------------------------------------------------------------------------------------

@dataclass
class Form:
    """How to fuzz one POST rule: who sends it, to which URLs, starting from which valid submission."""
    role: str  # anonymous, firm, person, subject (the world's Qingdao firm), regulator, admin
    urls: Callable  # cast -> strategy of paths
    valid: Callable  # cast -> a valid submission
    examples: int
    specific: dict = field(default_factory=dict)  # field -> a strategy of values meant for that field
    accepted: Callable = None  # response -> True when the form was accepted (default: a redirect, no error)
    files: str | None = None  # the name of a file field
    regressions: list = field(default_factory=list)  # (url, data) that once failed, kept as explicit examples


def ids(*choices):
    """A record id: one of the world's (own jurisdiction and other), or any integer at all."""
    return st.one_of(st.sampled_from(choices), st.integers(-5, 2**70))


def shows(marker: str) -> Callable:
    return lambda response: response.status_code == 200 and marker in response.get_data(as_text=True)


def status_200(response) -> bool:
    return response.status_code == 200


DATES = st.one_of(st.dates().map(lambda d: d.isoformat()), st.sampled_from(["2026-01-01", "2026-11-26"]))
PENALTY = {"subject_kind": "unit", "subject_uscc": "", "subject_id_number": "", "decision_number": "青环罚〔2026〕99号",
           "decided_on": "2026-10-01", "kinds": ["fine"], "severity": "ordinary", "violation_type": "出具虚假报告",
           "violation": "出具虚假报告", "basis": "土壤污染防治法第九十条", "content": "罚款十万元", "fine_yuan": "100000",
           "confiscated_yuan": "", "licence_action": "", "ban": "none", "ban_until": "",
           "authority_uscc": "11370200MB2843567A", "data_source": "青岛市生态环境局"}

# The purpose line of a credit report: one line of at most 100 characters, near its limits and across lines.
REPORT_PURPOSES = st.one_of(st.text(TEXT, min_size=95, max_size=105), st.sampled_from(
    ["用于：", "用于：" + "标" * 100, "第一行\r\n第二行", "招标\u202e", "\u2028", "For:  ", " " * 5]))


def issued_report(response) -> bool:
    return response.status_code == 303 and "/reports/XYBG-" in response.headers["Location"]


FORMS: dict[str, Form] = {
    "auth.login": Form("anonymous", lambda c: st.just("/login"),
                       lambda c: {"username": QINGDAO, "password": PASSWORD}, 60,
                       # a NUL reached PostgreSQL (a DataError, a 500) before the guard was app-wide
                       regressions=[("/login", {"username": "\x00", "password": "0"})]),
    "auth.change_password": Form(
        "firm", lambda c: st.just("/account/password"),
        lambda c: {"current_password": c.password, "new_password": "another-long-password-7", "confirm":
                   "another-long-password-7"}, 60, specific={"current_password": st.just(PASSWORD)}),
    "practitioner.register": Form(
        "anonymous", lambda c: st.just("/practitioner/register"),
        lambda c: firm_data(uscc=f.make_uscc("370200", 5150), name="模糊注册修复公司"), 250,
        specific={"uscc": st.integers(1, 10**6).map(lambda n: f.make_uscc("370200", n)),
                  "division_code": st.sampled_from(["370202", "110105", "340102"])}),
    "practitioner.accept_invitation": Form(
        "anonymous", lambda c: st.just("/practitioner/invitation"),
        lambda c: {"code": c.invitation, "id_number": GAO, "username": "lin-fuzz", "email": "",
                   "password": PASSWORD, "confirm": PASSWORD}, 200),
    "practitioner.commitment": Form(
        "firm", lambda c: st.just("/practitioner/commitment"),
        lambda c: {"text_version": "1", "signer": "张海", "truthfulness": "y", "consent_to_publish": "y"}, 150),
    "practitioner.details": Form("firm", lambda c: st.just("/practitioner/details"), lambda c: dict(DETAILS), 250,
                                 specific={"established_on": DATES}),
    "practitioner.staff_list": Form(
        "firm", lambda c: st.just("/practitioner/staff"),
        lambda c: {"name": "模糊员工", "id_number": f.make_id_number("370202", "19900101", 311), "title": "工程师"},
        200, specific={"id_number": st.integers(1, 999).map(lambda n: f.make_id_number("370202", "19900101", n))},
        accepted=shows('<p class="code"')),
    "practitioner.staff_invitation": Form(
        "firm", lambda c: ids(c.staff_id, c.world.hf.person).map(lambda i: f"/practitioner/staff/{i}/invitation"),
        lambda c: {}, 60, accepted=shows('<p class="code"'),
        regressions=[(overflowing("/practitioner/staff/{}/invitation"), {})]),
    "practitioner.staff_end": Form(
        "firm", lambda c: ids(c.staff_id, c.world.hf.person).map(lambda i: f"/practitioner/staff/{i}/end"),
        lambda c: {}, 60, regressions=[(overflowing("/practitioner/staff/{}/end"), {})]),
    "practitioner.project_new": Form(
        "firm", lambda c: st.just("/practitioner/projects/new"),
        lambda c: {**PROJECT, "people-0-person_id": str(c.staff_id), "people-0-role": "responsible_manager"}, 250,
        specific={"started_on": DATES, "contract_deadline": DATES, "completed_on": DATES,
                  "people-0-person_id": st.integers(-5, 2**70).map(str)},
        # a person id past the integers: its audit event of the refusal overflowed the driver (a 500)
        regressions=[("/practitioner/projects/new", {**PROJECT, "people-0-person_id": str(2**63),
                                                     "people-0-role": "responsible_manager"})]),
    "practitioner.project_edit": Form(
        "firm", lambda c: st.one_of(st.sampled_from([c.project_ref, "青岛-P1", "none"]), st.text(TEXT, max_size=20))
        .map(lambda ref: f"/practitioner/projects/{quote(ref, safe='')}/edit"),
        lambda c: {**PROJECT, "name": "模糊编辑的项目"}, 250,
        specific={"started_on": DATES, "completed_on": DATES, "area_m2": st.one_of(st.decimals(allow_nan=True).map(str), SPECIAL_NUMBERS)}),
    "practitioner.person_commitment": Form(
        "person", lambda c: st.just("/practitioner/me/commitment"),
        lambda c: {"text_version": "1", "signer": "高远", "truthfulness": "y", "consent_to_publish": "y"}, 100),
    # the world's Qingdao firm speaks to records about it (its penalty, review, and another province's penalty)
    "practitioner.statement": Form(
        "subject", lambda c: st.tuples(st.sampled_from(["penalty", "review", "finding"]),
                                       ids(c.world.qd.penalty, c.world.qd.review, c.world.hf.penalty))
        .map(lambda pair: f"/practitioner/records/{pair[0]}/{pair[1]}/statement"),
        lambda c: {"text": "罚款已于2026年2月缴清，涉事报告已重新编制并通过评审。"}, 150,
        specific={"text": st.one_of(st.text(TEXT, min_size=490, max_size=510), st.sampled_from(
            ["说明\u202e", "第一行\r\n第二行", "工程师370202198403120458", " " * 3]))},
        regressions=[(overflowing("/practitioner/records/penalty/{}/statement"), {"text": "x"})]),
    "practitioner.request_correction": Form(
        "subject", lambda c: st.tuples(st.sampled_from(["penalty", "review", "finding"]),
                                       ids(c.world.qd.penalty, c.world.qd.review, c.world.hf.penalty))
        .map(lambda pair: f"/practitioner/records/{pair[0]}/{pair[1]}/correction"),
        lambda c: {"grounds": "处罚决定书载明的罚款金额为五万元，登记为十万元，附决定书扫描件。"}, 100,
        regressions=[(overflowing("/practitioner/records/review/{}/correction"), {"grounds": "x"})]),
    "regulator.record_correction": Form(
        "regulator", lambda c: ids(c.record_correction).map(lambda i: f"/regulator/record-corrections/{i}"),
        lambda c: {"decision": "accept", "decided_on": "2026-01-10", "violation": "未按规定报送报告",
                   "basis": "土壤污染防治法第九十条", "content": "罚款", "fine_yuan": "50000", "note": ""}, 150,
        specific={"decision": st.sampled_from(["accept", "refuse"]), "decided_on": DATES,
                  "fine_yuan": SPECIAL_NUMBERS},
        regressions=[(overflowing("/regulator/record-corrections/{}"), {"decision": "refuse"})]),
    "portal.file_project_complaint": Form(
        "anonymous", lambda c: st.one_of(st.sampled_from(["青岛-P1", "合肥-P1", c.project_ref]),
                                         st.text(TEXT, max_size=20))
        .map(lambda ref: f"/projects/{quote(ref, safe='')}/complaints"),
        lambda c: {"description": "该项目的修复业绩与实际情况不符，现场并未施工。", "name": "", "contact": "",
                   "website": "", "started": c.started}, 250,
        accepted=lambda response: response.status_code == 303 and "/complaints/JB" in response.headers["Location"]),
    "portal.issue_unit_report": Form(
        "anonymous", lambda c: st.one_of(st.just(c.world_uscc), st.text(TEXT, max_size=20))
        .map(lambda uscc: f"/units/{quote(uscc, safe='')}/report"),
        lambda c: {"purpose": "用于：青岛某地块修复工程施工招标"}, 150, specific={"purpose": REPORT_PURPOSES},
        accepted=issued_report),
    "portal.issue_person_report": Form(
        "anonymous", lambda c: st.one_of(st.just(c.world_public_id), st.text(TEXT, max_size=20))
        .map(lambda public_id: f"/persons/{quote(public_id, safe='')}/report"),
        lambda c: {"purpose": "青岛某地块调查招标"}, 100, specific={"purpose": REPORT_PURPOSES}, accepted=issued_report),
    "regulator.record_review": Form(
        "regulator", lambda c: ids(c.world.qd.project, c.world.hf.project).map(
            lambda i: f"/regulator/projects/{i}/reviews"),
        lambda c: {"report_type": "risk_assessment_report", "round": "2", "reviewed_on": "2026-10-01",
                   "passed": "yes"}, 200, specific={"reviewed_on": DATES, "round": st.one_of(st.integers(-5, 200).map(str), SPECIAL_NUMBERS)},
        regressions=[(overflowing("/regulator/projects/{}/reviews"), {})]),
    "regulator.new_penalty": Form(
        "regulator", lambda c: st.sampled_from(["/regulator/penalties/new", "/regulator/penalties/new?find=青岛"]),
        lambda c: {**PENALTY, "subject_uscc": c.world_uscc}, 300,
        specific={"decided_on": DATES, "ban_until": DATES, "action": st.just("preview"),
                  "ban": st.sampled_from(["until", "lifetime"]), "subject_kind": st.just("person"),
                  "subject_id_number": st.sampled_from([QD_ID, HF_ID, LIN]),
                  "severity": st.sampled_from(["minor", "serious"]), "fine_yuan": SPECIAL_NUMBERS,
                  "confiscated_yuan": SPECIAL_NUMBERS},
        # a decision before 1900: no publicity rule in force, a ValueError (a 500)
        regressions=[("/regulator/penalties/new", {**PENALTY, "subject_kind": "person", "subject_id_number": QD_ID,
                                                   "decided_on": "1899-12-31"}),
                     ("/regulator/penalties/new", {**PENALTY, "subject_kind": "person", "subject_id_number": QD_ID,
                                                   "violation": "事实\x00", "kinds": ["fine", "warning\x00"]})]),
    "regulator.repair": Form(
        "regulator", lambda c: ids(c.world.qd.penalty, c.world.hf.penalty).map(
            lambda i: f"/regulator/penalties/{i}/repair"),
        lambda c: {"applied_on": "2026-11-20", "grounds": "已整改", "materials": ["application_letter"]}, 60,
        specific={"applied_on": DATES, "materials": st.sampled_from(["application_letter", "other", "bogus"])},
        regressions=[(overflowing("/regulator/penalties/{}/repair"), {})]),
    "regulator.grant_repair": Form(
        "regulator", lambda c: ids(c.world.qd.penalty, c.world.hf.penalty).map(
            lambda i: f"/regulator/penalties/{i}/repair/grant"), lambda c: {}, 40,
        regressions=[(overflowing("/regulator/penalties/{}/repair/grant"), {})]),
    "regulator.refuse_repair": Form(
        "regulator", lambda c: ids(c.world.qd.penalty, c.world.hf.penalty).map(
            lambda i: f"/regulator/penalties/{i}/repair/refuse"), lambda c: {"reason": "材料不全"}, 40,
        regressions=[(overflowing("/regulator/penalties/{}/repair/refuse"), {})]),
    "regulator.complaint": Form(
        "regulator", lambda c: ids(c.world.qd.complaint, c.world.qd.verifying, c.world.hf.complaint).map(
            lambda i: f"/regulator/complaints/{i}"),
        lambda c: {"status": "verifying", "finding": "经核查属实", "verified_on": "2026-11-01"}, 200,
        specific={"status": st.sampled_from(["received", "verifying", "substantiated", "unsubstantiated"]),
                  "verified_on": DATES}, regressions=[(overflowing("/regulator/complaints/{}"), {})]),
    "regulator.withhold": Form(
        "regulator", lambda c: st.tuples(
            st.sampled_from(["unit", "project", "review", "penalty", "complaint"]),
            ids(c.world.qd.unit, c.world.qd.project, c.world.qd.review, c.world.qd.penalty, c.world.hf.unit))
        .map(lambda pair: f"/regulator/withhold/{pair[0]}/{pair[1]}"),
        lambda c: {"ground": "state_secret", "explanation": "涉及国家秘密"}, 200,
        regressions=[(overflowing("/regulator/withhold/unit/{}"), {})]),
    "regulator.person_lookup": Form(
        "regulator", lambda c: st.just("/regulator/persons/lookup"), lambda c: {"id_number": QD_ID}, 150,
        accepted=status_200),
    "regulator.reveal_id_number": Form(
        "regulator", lambda c: ids(c.world.qd.person, c.world.hf.person).map(
            lambda i: f"/regulator/persons/{i}/reveal"), lambda c: {}, 60, accepted=status_200,
        regressions=[(overflowing("/regulator/persons/{}/reveal"), {})]),
    "regulator.accounts": Form(
        "admin", lambda c: st.just("/regulator/accounts"),
        lambda c: {"username": "fuzz-official", "display_name": "模糊监管", "authority_name": "青岛市生态环境局",
                   "division_code": "370200", "email": "", "password": STAFF_PASSWORD, "confirm": STAFF_PASSWORD},
        150, specific={"username": st.text(TEXT, min_size=1, max_size=12)}),
    "regulator.account_active": Form(
        "admin", lambda c: st.tuples(ids(c.world.accounts["qingdao"], c.world.accounts["admin"]),
                                     st.sampled_from(["suspend", "restore"]))
        .map(lambda pair: f"/regulator/accounts/{pair[0]}/{pair[1]}"), lambda c: {}, 60,
        regressions=[(overflowing("/regulator/accounts/{}/suspend"), {})]),
    "regulator.second_factor_reset": Form(
        "admin", lambda c: ids(c.world.accounts["qingdao"], c.world.accounts["admin"]).map(
            lambda i: f"/regulator/accounts/{i}/second-factor-reset"), lambda c: {"reason": "手机遗失"}, 60,
        regressions=[(overflowing("/regulator/accounts/{}/second-factor-reset"), {"reason": "x"})]),
    "regulator.recover_account": Form(
        "admin", lambda c: st.tuples(ids(c.firm_account(), c.world.accounts["qingdao"]),
                                     st.sampled_from(["reset", "suspend", "reinstate"]))
        .map(lambda pair: f"/regulator/accounts/practitioners/{pair[0]}/{pair[1]}"),
        lambda c: {"reason": "营业执照核查不符"}, 60,
        regressions=[(overflowing("/regulator/accounts/practitioners/{}/suspend"), {"reason": "x"})]),
    "auth.two_factor": Form(
        "regulator", lambda c: st.just("/account/two-factor"), lambda c: {"code": "123456"}, 100,
        accepted=status_200),
    "regulator.bulk_import": Form(
        "admin", lambda c: st.just("/regulator/import"), lambda c: {}, 200, accepted=status_200, files="file"),
}


# -- the people who send the forms --------------------------------------------------------------------------

class Cast:
    """The world of the regulators' tests, a registered firm (Qingdao) with a staff member and a project, and a
    signed-in client per role, made when a form first needs them."""

    def __init__(self, app, world):
        self.app, self.world, self.password = app, world, PASSWORD
        self.world_uscc = None
        self.world_public_id = None
        self._clients = {}

    def client(self, role: str):
        if role not in self._clients:
            client = self.app.test_client()
            if role in ("firm", "person"):
                self._firm()
                client = self._clients["firm"] if role == "firm" else self._person()
            elif role == "subject":
                from registry.services.accounts import system_create_account

                system_create_account(username="qingdao-firm", password=PASSWORD, role="unit",
                                      display_name="青岛环境修复有限公司", unit_id=self.world.qd.unit)
                f.login(client, "qingdao-firm", PASSWORD)
            elif role in ("regulator", "admin"):
                login_as(client, self.world, "qingdao" if role == "regulator" else "admin")
            self._clients[role] = client
        return self._clients[role]

    def _firm(self):
        if "firm" in self._clients:
            return
        firm = self.app.test_client()
        assert register(firm).status_code == 302
        sign(firm)
        hire(firm, "高远", GAO)
        self.staff_id = int(re.search(r"/practitioner/staff/(\d+)/", firm.get("/practitioner/staff")
                                      .get_data(as_text=True)).group(1))
        self.invitation = shown_code(firm.post(f"/practitioner/staff/{self.staff_id}/invitation").get_data(as_text=True))
        response = firm.post("/practitioner/projects/new", data={
            **PROJECT, "people-0-person_id": str(self.staff_id), "people-0-role": "responsible_manager"})
        self.project_ref = response.headers["Location"].rsplit("/", 1)[-1]
        self._clients["firm"] = firm

    def _person(self):
        person = self.app.test_client()
        response = person.post("/practitioner/invitation", data={
            "code": self.invitation, "id_number": GAO, "username": "linhaiyan", "password": PASSWORD,
            "confirm": PASSWORD})
        assert response.status_code == 302
        return person

    def prepare(self, endpoint: str) -> None:
        """What a form's valid submission refers to."""
        from sqlalchemy import select

        from registry.extensions import db
        from registry.models import Person, Unit

        self.world_uscc = db.session.scalar(select(Unit.uscc).where(Unit.id == self.world.qd.unit))
        self.world_public_id = db.session.scalar(select(Person.public_id).where(Person.id == self.world.qd.person))
        self.started = form_started_token()
        if endpoint == "regulator.record_correction":
            from registry.access import Actor
            from registry.services.corrections import request_record_correction

            firm = Actor(account_id=None, label="firm", role="unit", unit_id=self.world.qd.unit)
            self.record_correction = request_record_correction(
                firm, "penalty", self.world.qd.penalty, "处罚决定书载明的罚款金额与登记的不一致。").id
        if endpoint.startswith("practitioner.") or endpoint in ("portal.file_project_complaint",
                                                                "regulator.recover_account"):
            self._firm()

    def firm_account(self) -> int:
        """The registered firm's account (the one the administrator recovers)."""
        from sqlalchemy import select

        from registry.extensions import db
        from registry.models import Account

        return db.session.scalar(select(Account.id).where(Account.role == "unit"))


def logged_errors(caplog) -> list[str]:
    """The app's logged errors with their tracebacks (what a 500 left behind)."""
    return [record.getMessage() + "\n" + logging.Formatter().formatException(record.exc_info)
            for record in caplog.records if record.exc_info]


def took_flash(client, category: str) -> bool:
    """Whether the request left a flash of this category (read and cleared, as the next page would)."""
    with client.session_transaction() as session:
        flashes = session.pop("_flashes", [])
    return any(kind == category for kind, _ in flashes)


IMPORT_FILES = st.one_of(
    st.binary(max_size=300),
    st.lists(st.one_of(st.text(TEXT, max_size=60), st.just(f.unit_record(f.make_uscc("370200", 7001))).map(
        lambda r: json.dumps(r, ensure_ascii=False))), max_size=4).map(
        lambda lines: "\n".join(lines).encode("utf-8")),
    st.sampled_from([b"\xef\xbb\xbf" + b'{"kind": "unit"}', b"\xff\xfe{}", b"\x00" * 10, b"", b"{\"kind\": []}"]),
)


@pytest.fixture
def fuzz_config(app_config):
    # A person fills the complaint form in seconds, the fuzzer at once; the per-address limits would turn every
    # later example into the same refusal.
    app_config.update(COMPLAINT_MIN_FILL_SECONDS=0, COMPLAINTS_PER_ADDRESS_PER_HOUR=10**6,
                      SEARCH_REQUESTS_PER_ADDRESS_PER_MINUTE=10**6, REPORTS_PER_ADDRESS_PER_HOUR=10**6)
    return app_config


def test_every_post_rule_is_fuzzed_or_excluded_with_a_reason(app):
    """A new form cannot be forgotten: every POST rule of the URL map is in FORMS or in EXCLUDED."""
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts - set(FORMS) - set(EXCLUDED) == set()
    assert set(FORMS) | set(EXCLUDED) <= posts  # and nothing listed that no longer exists


@pytest.mark.parametrize("endpoint", sorted(FORMS))
def test_a_fuzzed_form_never_fails_and_a_refusal_writes_nothing(fuzz_config, app, world, endpoint, caplog):
    """Generated submissions of one form, from the role it belongs to."""
    form = FORMS[endpoint]
    cast = Cast(app, world)
    cast.prepare(endpoint)
    client = cast.client(form.role)
    valid = form.valid(cast)
    examples = budget(form.examples)
    files = IMPORT_FILES if form.files else st.none()
    name = f"form: {endpoint}"

    @fuzzing(examples)
    @given(url=form.urls(cast), data=mutated(valid, form.specific), upload=files)
    def check(url, data, upload):
        generated(name)
        took_flash(client, "error")
        before = row_counts()
        caplog.clear()
        if upload is not None:
            data = {**data, form.files: (BytesIO(upload), "fuzz.jsonl")}
        response = client.post(url, data=data, content_type="multipart/form-data" if form.files else None)
        assert response.status_code < 500, (url, data, logged_errors(caplog))
        if form.accepted is not None:
            accepted = form.accepted(response)
        else:
            accepted = response.status_code == 302 and not took_flash(client, "error") \
                and "/login" not in response.headers.get("Location", "")
        if not accepted:
            after = row_counts()
            changed = {t for t in before if before[t] != after[t]} - WRITTEN_ON_REFUSAL
            assert changed == set(), (url, data, response.status_code)

    for url, data in form.regressions:
        check = example(url=url, data=data, upload=None if not form.files else b"")(check)
    check()
    assert GENERATED[name] >= examples
