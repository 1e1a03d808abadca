"""Every route of the URL map against every role, GET and POST, with real records of firm A and
province X in each URL and form. A route missing from the table fails the test; a refused request gets no 2xx,
changes nothing and leaves an audit event where the app audits denials; tampered form fields are ignored or
refused."""
import re
from dataclasses import dataclass
from itertools import count as counter

from sqlalchemy import select

from registry.extensions import db as _db
from registry.models import Commitment, Penalty, Project, Unit
from tests import factories as f
from tests.pdf import pdf_text
from tests.practitioner.conftest import firm_data
from tests.practitioner.test_projects import project_form
from tests.regulator.conftest import HF_ID, QD_ID
from tests.security.conftest import (HOMES, PASSWORD, ROLES, changed_tables, denials, mirrored, relogin, snapshot,
                                     url)

FIRMS, REGULATORS = ("firm_a", "firm_b"), ("regulator_x", "regulator_y")
PRACTITIONERS = (*FIRMS, "person_a")


def outcomes(**by_role) -> dict[str, str]:
    """Expected outcome per role: ok, login (sent to sign in), 403, 404, or home (sent to the role's own room)."""
    expected = {}
    for key, value in by_role.items():
        for role in {"practitioners": PRACTITIONERS, "firms": FIRMS, "regulators": REGULATORS}.get(key, (key,)):
            expected[role] = value
    assert set(expected) == set(ROLES), sorted(set(ROLES) - set(expected))
    return expected


ACCESS = {
    "public": outcomes(anonymous="ok", practitioners="ok", regulators="ok", admin="ok"),
    "signed_in": outcomes(anonymous="login", practitioners="ok", regulators="ok", admin="ok"),
    "firm": outcomes(anonymous="login", firms="ok", person_a="home", regulators="403", admin="403"),
    "firm_a_record": outcomes(anonymous="login", firm_a="ok", firm_b="404", person_a="home", regulators="403",
                              admin="403"),
    "person": outcomes(anonymous="login", firms="home", person_a="ok", regulators="403", admin="403"),
    # the firm's or person's own records (statements, correction requests): firm A's penalty in the URL
    "subject": outcomes(anonymous="login", practitioners="ok", regulators="403", admin="403"),
    "firm_a_subject": outcomes(anonymous="login", firm_a="ok", firm_b="404", person_a="404", regulators="403",
                               admin="403"),
    "staff": outcomes(anonymous="login", practitioners="403", regulators="ok", admin="ok"),
    "regulator": outcomes(anonymous="login", practitioners="403", regulators="ok", admin="403"),
    "province_x_record": outcomes(anonymous="login", practitioners="403", regulator_x="ok", regulator_y="403",
                                  admin="403"),
    "admin": outcomes(anonymous="login", practitioners="403", regulators="403", admin="ok"),
    # the code step of a sign-in exists only after a right password: without one, everybody is sent to sign in
    "password_first": outcomes(anonymous="login", practitioners="login", regulators="login", admin="login"),
}

serial = counter(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(serial)}"


def staff_body(cast, role):
    return {"name": unique("新员工"), "title": "工程师",
            "id_number": f.make_id_number("370211", "19920202", next(serial))}


def details_body(cast, role):
    """The acting firm's own details with a new address, and a hidden unit id pointing at the other firm."""
    own = cast.b if role == "firm_b" else cast.a
    unit = _db.session.get(Unit, own.unit)
    return {"name": unit.name, "legal_representative": unit.legal_representative, "division_code": unit.division_code,
            "address": unique("新地址"), "contact_email": "office@example.cn",
            "categories": "remediation_construction",
            "unit_id": str(cast.b.unit if role != "firm_b" else cast.a.unit), "uscc": cast.b.uscc}


def commitment_body(cast, role):
    return {"text_version": "1", "signer": "张三", "truthfulness": "y", "consent_to_publish": "y",
            "person_id": str(cast.b.person), "unit_id": str(cast.b.unit)}


def penalty_body(cast, role):
    return {"subject_kind": "unit", "subject_uscc": cast.a.uscc, "decision_number": unique("鲁环罚〔2026〕"),
            "decided_on": "2026-11-01", "kinds": "warning", "severity": "ordinary", "ban": "none",
            "authority_division_code": "340000", **f.DOUBLE_PUBLICITY}


def regulator_account_body(cast, role):
    return {"username": unique("new-official-"), "display_name": "新监管", "authority_name": "安徽省生态环境厅",
            "division_code": "340000", "password": PASSWORD, "confirm": PASSWORD}


def complaint_body(cast, role):
    from public_portal.forms import form_started_token

    return {"description": "该项目的修复工程实际并未实施，业绩信息与事实不符，请核查。", "started": form_started_token()}


def receipt_values(cast):
    """Firm A's complaint's receipt number and the check code printed beside it."""
    from registry.models import Complaint
    from registry.queries.receipts import receipt_check_code

    ref = _db.session.get(Complaint, cast.a.complaint).ref
    return {"receipt": ref, "check": receipt_check_code(ref)}


def report_number(cast):
    """A credit report issued about firm A (once per cast), for the report, its PDF and its verify page."""
    if not getattr(cast.a, "report_number", None):
        from registry.queries.credit_reports import unit_report_content
        from registry.services.complaint_filing import PUBLIC
        from registry.services.credit_reports import issue_credit_report

        cast.a.report_number = issue_credit_report(PUBLIC, lambda: unit_report_content(cast.a.uscc),
                                                   purpose="青岛某地块修复工程招标").number
    return {"number": cast.a.report_number}


def report_body(cast, role):
    return {"purpose": "青岛某地块修复工程招标"}


def spent_proposal(cast):
    """Firm B's proposal to person A, already used: confirming it again is refused with a message, changing
    nothing, so every cell of the route can be walked without moving person A."""
    from datetime import timedelta

    from registry.models import Invitation
    from registry.models.base import utcnow

    now = utcnow()
    invitation = Invitation(code_hmac="f" * 64, person_id=cast.world.qd.person, unit_id=cast.world.hf.unit,
                            created_at=now, expires_at=now + timedelta(days=14), used_at=now, proposed_name="青岛工程师")
    _db.session.add(invitation)
    _db.session.commit()
    return {"invitation_id": invitation.id}


# endpoint -> (access for GET, access for POST, URL values, POST body); every URL value and every record-pointing
# form field names firm A's or province X's records.
ROUTES = {
    "portal.home": ("public", None, lambda c: {}, None),
    "healthz": ("public", None, lambda c: {}, None),
    "portal.search": ("public", None, lambda c: {"q": "青岛"}, None),
    "portal.similar": ("public", None, lambda c: {"industry": "C26", "province": "37"}, None),
    "portal.compare": ("public", None, lambda c: {"uscc": [c.a.uscc, c.b.uscc], "industry": "C26"}, None),
    "portal.unit": ("public", None, lambda c: {"uscc": c.a.uscc}, None),
    "portal.person": ("public", None, lambda c: {"public_id": c.a.public_id}, None),
    "portal.project": ("public", None, lambda c: {"ref": c.a.ref}, None),
    "portal.file_project_complaint": (None, "public", lambda c: {"ref": c.a.ref}, complaint_body),
    "portal.complaint_receipt": ("public", None, receipt_values, None),
    "portal.complaint_track": ("public", None, receipt_values, None),
    "portal.open_data": ("public", None, lambda c: {}, None),
    "portal.issue_unit_report": ("public", "public", lambda c: {"uscc": c.a.uscc}, report_body),
    "portal.issue_person_report": ("public", "public", lambda c: {"public_id": c.a.public_id}, report_body),
    "portal.credit_report": ("public", None, report_number, None),
    "portal.credit_report_pdf": ("public", None, report_number, None),
    "portal.verify_form": ("public", None, lambda c: {}, None),
    "portal.verify": ("public", None, report_number, None),
    "portal.api_docs": ("public", None, lambda c: {}, None),
    "portal.open_data_csv": ("public", None, lambda c: {"kind": "unit"}, None),
    "portal.open_data_jsonl": ("public", None, lambda c: {}, None),
    "portal.open_data_manifest": ("public", None, lambda c: {}, None),
    "lists.bans": ("public", None, lambda c: {"kind": "unit", "province": "37"}, None),
    "lists.penalties": ("public", None, lambda c: {"province": "37", "severity": "ordinary"}, None),
    "lists.findings": ("public", None, lambda c: {"province": "37"}, None),
    "lists.national_feed": ("public", None, lambda c: {}, None),
    "lists.province_feed": ("public", None, lambda c: {"province": "37"}, None),
    "lists.unit_feed": ("public", None, lambda c: {"uscc": c.a.uscc}, None),
    "lists.person_feed": ("public", None, lambda c: {"public_id": c.a.public_id}, None),
    "api.openapi": ("public", None, lambda c: {}, None),
    "api.units": ("public", None, lambda c: {"q": "青岛"}, None),
    "api.unit": ("public", None, lambda c: {"uscc": c.a.uscc}, None),
    "api.persons": ("public", None, lambda c: {"q": "青岛"}, None),
    "api.person": ("public", None, lambda c: {"public_id": c.a.public_id}, None),
    "api.projects": ("public", None, lambda c: {"q": "青岛"}, None),
    "api.penalties": ("public", None, lambda c: {"province": "37", "banned": "false"}, None),
    "api.bans": ("public", None, lambda c: {"kind": "unit"}, None),
    "auth.login": ("public", "public", lambda c: {},
                   lambda c, r: {"username": "nobody-registered", "password": "not the password at all"}),
    "auth.second_factor_step": ("password_first", "password_first", lambda c: {}, lambda c, r: {"code": "123456"}),
    "auth.two_factor": ("staff", "staff", lambda c: {}, lambda c, r: {"code": "123456"}),
    "auth.logout": (None, "signed_in", lambda c: {}, lambda c, r: {}),
    "auth.change_password": ("signed_in", "signed_in", lambda c: {},
                             lambda c, r: {"current_password": "a wrong current password", "new_password":
                                           "another long passphrase", "confirm": "another long passphrase"}),
    # registering firm B's code again, or redeeming a made-up invitation for firm A's person: refused by the rules
    "practitioner.register": ("public", "public", lambda c: {},
                              lambda c, r: firm_data(uscc=c.b.uscc, name="冒名合肥单位", division_code="340102")),
    "practitioner.accept_invitation": ("public", "public", lambda c: {},
                                       lambda c, r: {"code": "NOT-A-CODE", "id_number": QD_ID, "username": "intruder",
                                                     "password": PASSWORD, "confirm": PASSWORD}),
    "practitioner.dashboard": ("firm", None, lambda c: {}, None),
    "practitioner.commitment": ("firm", "firm", lambda c: {}, commitment_body),
    "practitioner.details": ("firm", "firm", lambda c: {}, details_body),
    "practitioner.details_history": ("firm", None, lambda c: {}, None),
    # a declaration without the date and the tick is refused on the page: firm A stays in business
    "practitioner.cease": ("firm", "firm", lambda c: {}, lambda c, r: {"ceased_on": ""}),
    "practitioner.staff_list": ("firm", "firm", lambda c: {}, staff_body),
    "practitioner.staff_end": (None, "firm_a_record", lambda c: {"person_id": c.a.spare_person}, lambda c, r: {}),
    "practitioner.staff_invitation": (None, "firm_a_record", lambda c: {"person_id": c.a.person}, lambda c, r: {}),
    "practitioner.project_list": ("firm", None, lambda c: {}, None),
    # firm A's staff member smuggled into firm B's new project: refused
    "practitioner.project_new": ("firm", "firm_a_record", lambda c: {},
                                 lambda c, r: project_form([(c.a.person, "responsible_manager")],
                                                           name=unique("新项目"))),
    "practitioner.project_view": ("firm_a_record", None, lambda c: {"ref": c.a.ref}, None),
    "practitioner.project_edit": ("firm_a_record", "firm_a_record", lambda c: {"ref": c.a.ref},
                                  lambda c, r: project_form([(c.a.person, "responsible_manager")],
                                                            name="青岛化工厂地块修复", division_code="370211")),
    "practitioner.person_home": ("person", None, lambda c: {}, None),
    "practitioner.records": ("subject", None, lambda c: {}, None),
    "practitioner.statement": ("firm_a_subject", "firm_a_subject",
                               lambda c: {"record_type": "penalty", "record_id": c.a.penalty},
                               lambda c, r: {"text": unique("罚款已于2026年2月缴清，说明")}),
    "practitioner.withdraw_statement": (None, "firm_a_subject",
                                        lambda c: {"record_type": "penalty", "record_id": c.a.penalty},
                                        lambda c, r: {}),
    # firm A's penalty already has a request waiting: a second one is refused on the page, changing nothing
    "practitioner.request_correction": ("firm_a_subject", "firm_a_subject",
                                        lambda c: {"record_type": "penalty", "record_id": c.a.penalty},
                                        lambda c, r: {"grounds": "决定书载明的罚款金额为五万元，登记为十万元"}),
    "practitioner.confirm_proposal": (None, "person", spent_proposal, lambda c, r: {}),
    "practitioner.person_commitment": ("person", "person", lambda c: {}, commitment_body),
    "regulator.home": ("staff", None, lambda c: {}, None),
    "regulator.projects": ("regulator", None, lambda c: {}, None),
    "regulator.project": ("province_x_record", None, lambda c: {"project_id": c.a.project}, None),
    "regulator.record_review": (None, "province_x_record", lambda c: {"project_id": c.a.project},
                                lambda c, r: {"report_type": "risk_assessment_report", "round": "2",
                                              "reviewed_on": "2026-11-01", "passed": "yes"}),
    "regulator.units": ("regulator", None, lambda c: {}, None),
    "regulator.unit": ("province_x_record", None, lambda c: {"unit_id": c.a.unit}, None),
    "regulator.confirm_registration": (None, "province_x_record", lambda c: {"unit_id": c.a.unit}, lambda c, r: {}),
    "regulator.suspend_registration": (None, "province_x_record", lambda c: {"unit_id": c.a.unit},
                                       lambda c, r: {"reason": ""}),
    "regulator.hand_over_registration": ("province_x_record", "province_x_record", lambda c: {"unit_id": c.a.unit},
                                         lambda c, r: {"name": "", "legal_representative": "", "reason": ""}),
    "regulator.correction_list": ("regulator", None, lambda c: {}, None),
    "regulator.correction": ("province_x_record", "province_x_record", lambda c: {"correction_id": c.a.correction},
                             lambda c, r: {"decision": "refuse", "note": ""}),
    "regulator.record_correction": ("province_x_record", "province_x_record",
                                    lambda c: {"correction_id": c.a.record_correction},
                                    lambda c, r: {"decision": "refuse", "note": ""}),
    "regulator.penalty_list": ("regulator", None, lambda c: {}, None),
    "regulator.new_penalty": ("regulator", "regulator", lambda c: {}, penalty_body),
    "regulator.penalty": ("province_x_record", None, lambda c: {"penalty_id": c.a.penalty}, None),
    "regulator.repair": ("province_x_record", "province_x_record", lambda c: {"penalty_id": c.a.penalty},
                         lambda c, r: {"applied_on": "2026-11-20", "grounds": "已整改", "materials": ["application_letter"]}),
    "regulator.grant_repair": (None, "province_x_record", lambda c: {"penalty_id": c.a.penalty}, lambda c, r: {}),
    "regulator.refuse_repair": (None, "province_x_record", lambda c: {"penalty_id": c.a.penalty},
                                lambda c, r: {"reason": "材料不全"}),
    "regulator.complaint_list": ("regulator", None, lambda c: {}, None),
    "regulator.complaint": ("province_x_record", "province_x_record", lambda c: {"complaint_id": c.a.complaint},
                            lambda c, r: {"status": "verifying"}),
    "regulator.withhold": ("province_x_record", "province_x_record",
                           lambda c: {"record_type": "review", "record_id": c.a.review},
                           lambda c, r: {"ground": "third_party", "explanation": "涉及第三方商业秘密"}),
    "regulator.lift_withhold": (None, "province_x_record", lambda c: {"record_type": "review", "record_id": c.a.review},
                                lambda c, r: {"reason": "不予公开的理由已经消失"}),
    "regulator.person_lookup": ("regulator", "regulator", lambda c: {}, lambda c, r: {"id_number": QD_ID}),
    "regulator.person": ("province_x_record", None, lambda c: {"person_id": c.a.person}, None),
    "regulator.reveal_id_number": (None, "province_x_record", lambda c: {"person_id": c.a.person}, lambda c, r: {}),
    "regulator.audit_trail": ("province_x_record", None,
                              lambda c: {"record_type": "project", "record_id": c.a.project}, None),
    "regulator.accounts": ("admin", "admin", lambda c: {}, regulator_account_body),
    "regulator.account_active": (None, "admin", lambda c: {"account_id": c.spare_regulator, "change": "suspend"},
                                 lambda c, r: {}),
    "regulator.second_factor_reset": (None, "admin", lambda c: {"account_id": c.spare_regulator},
                                      lambda c, r: {"reason": "手机遗失，已当面核实"}),
    "regulator.practitioner_accounts": ("admin", None, lambda c: {"q": "person"}, None),
    "regulator.recover_account": (None, "admin", lambda c: {"account_id": c.spare_practitioner, "change": "suspend"},
                                  lambda c, r: {"reason": "冒名注册，待核实"}),
    "regulator.bulk_import": ("admin", "admin", lambda c: {}, lambda c, r: {}),
}


@dataclass
class Cell:
    rule: str
    role: str
    method: str
    url: str
    expected: str
    status: int
    location: str
    audited: bool
    changed: list

    @property
    def succeeded(self) -> bool:
        """A 2xx, or a redirect anywhere but the sign-in page or the role's own room."""
        if 200 <= self.status < 300:
            return True
        return self.status in (301, 302, 303) and not self.location.startswith(("/login", HOMES.get(self.role, "//")))

    def verdict(self) -> str | None:  # noqa: C901 (one branch per kind of outcome)
        """None when the cell came out as expected, else what went wrong."""
        if self.status >= 500:
            return "server error"
        if self.expected == "405":
            return None if self.status == 405 else "method allowed"
        if self.expected == "ok":
            ok = self.status == 200 if self.method == "GET" else self.status in (200, 302, 303, 400)
            return None if ok and not self.location.startswith("/login") else "refused"
        if self.succeeded:
            return "unexpected success"
        if self.changed:
            return f"refused but wrote {self.changed}"
        if self.expected == "login":
            return None if self.status == 302 and self.location.startswith("/login") else "not sent to sign in"
        if self.expected == "home":
            return None if self.status == 302 and self.location == HOMES[self.role] else "not sent home"
        return None if str(self.status) == self.expected else f"expected {self.expected}"


def cell_body(rule_entry, cast, role) -> dict:
    """The form a role posts to a route (empty for a route without POST)."""
    body = rule_entry[3]
    return body(cast, role) if body else {}


def walk(app, db, cast) -> list[tuple[Cell, object]]:
    """Every rule x role x method, each a real request; the database is compared around every refused POST."""
    cells = []
    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: r.endpoint)
    for rule in rules:
        get_access, post_access, values, _ = entry = ROUTES[rule.endpoint]
        path = url(rule.endpoint, **values(cast))
        for role in ROLES:
            for method, access in (("GET", get_access), ("POST", post_access)):
                expected = ACCESS[access][role] if access else "405"
                refused = expected not in ("ok", "405")
                before = snapshot(db) if refused and method == "POST" else None
                denied_before = denials(db)
                body = cell_body(entry, cast, role) if method == "POST" and access else {}
                response = cast.clients[role].open(path, method=method, data=body)
                response.get_data()  # a streamed download runs to its end inside its request
                response.close()
                cell = Cell(rule.endpoint, role, method, path, expected, response.status_code,
                            response.headers.get("Location", ""), refused and denials(db) > denied_before,
                            changed_tables(before, snapshot(db)) if before else [])
                cells.append((cell, response))
                if rule.endpoint == "auth.logout" and expected == "ok":
                    relogin(cast, role)
    return cells


def test_the_table_classifies_every_route_of_the_app(app):
    """A new route cannot be forgotten: the URL map and the expectations table name the same endpoints."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints - set(ROUTES) == set(), "routes with no expected access: classify them in ROUTES"
    assert set(ROUTES) - endpoints == set(), "the table names routes the app no longer has"
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            get_access, post_access = ROUTES[rule.endpoint][:2]
            assert (get_access is not None) == ("GET" in rule.methods), rule.endpoint
            assert (post_access is not None) == ("POST" in rule.methods), rule.endpoint
            assert rule.methods <= {"GET", "HEAD", "OPTIONS", "POST"}, rule.endpoint


def leaks_in(cell: Cell, text: str) -> list[str]:
    """Firm A's person's full number only on regulator X's audited reveal; firm A's complainant only to
    regulator X; firm B's person's number nowhere; firm A's staff never on another firm's or province's back office."""
    found = []
    if cell.method == "POST":  # a form keeps the number its sender just typed, in its own field
        text = re.sub(rf'<input[^>]* name="id_number"[^>]* value="{QD_ID}"[^>]*>', "", text)
    if HF_ID in text:
        found.append("firm B's full ID number")
    if QD_ID in text and (cell.role, cell.rule) != ("regulator_x", "regulator.reveal_id_number"):
        found.append("firm A's full ID number")
    if "青岛举报人" in text and cell.role != "regulator_x":
        found.append("firm A's complainant")
    # (a lookup by full ID number shows any regulator the name, masked number and employer, by design: any
    # authority may penalise anyone; tests/regulator/test_reveal.py holds it to that)
    back_office = (cell.role, cell.rule.split(".")[0]) in {("regulator_y", "regulator"), ("firm_b", "practitioner")}
    if "青岛工程师" in text and back_office and cell.rule != "regulator.person_lookup":
        found.append("firm A's staff member's name")
    return found


def test_every_role_meets_every_route_as_expected(app, db, cast):
    """Every cell as expected: no unexpected success, every refused POST writes nothing, every refusal of an account
    is audited, and nothing confidential reaches a role not entitled to it."""
    walked = walk(app, db, cast)
    cells = [cell for cell, _ in walked]
    assert len(cells) == len(ROUTES) * len(ROLES) * 2
    refused = [c for c in cells if c.expected not in ("ok", "405")]
    unexpected_2xx = [c for c in refused if 200 <= c.status < 300]
    print(f"\naccess matrix: {len(ROUTES)} rules x {len(ROLES)} roles x 2 methods = {len(cells)} cells; "
          f"{len(refused)} refusals ({sum(c.method == 'POST' for c in refused)} POSTs, database compared), "
          f"{sum(c.expected == '405' for c in cells)} method-not-allowed; unexpected 2xx: {len(unexpected_2xx)}")

    wrong = [f"{c.role:12} {c.method:4} {c.url} -> {c.status} {c.location} ({c.verdict()})"
             for c in cells if c.verdict()]
    assert not wrong, "\n".join(wrong)
    assert not unexpected_2xx
    unaudited = [f"{c.role} {c.method} {c.url} -> {c.status}" for c in refused
                 if c.role != "anonymous" and c.expected in ("403", "404") and not c.audited]
    assert not unaudited, "refusals without an access_denied event:\n" + "\n".join(unaudited)
    leaks = [f"{c.role} {c.method} {c.url}: {what}" for c, response in walked
             for what in leaks_in(c, pdf_text(response.get_data()) if response.mimetype == "application/pdf"
                                  else response.get_data(as_text=True))]
    assert not leaks, "\n".join(leaks)


# -- IDOR by tampered form fields: fields a form does not have are ignored, never applied to another's record --

def test_a_hidden_unit_id_in_the_details_form_changes_only_the_signed_in_firm(db, cast):
    b_before = db.session.get(Unit, cast.b.unit).address
    response = cast.clients["firm_a"].post("/practitioner/details", data=details_body(cast, "firm_a"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Unit, cast.b.unit).address == b_before
    assert db.session.get(Unit, cast.a.unit).address.startswith("新地址")


def test_a_hidden_person_id_in_the_commitment_form_signs_only_for_the_signed_in_person(db, cast):
    def letters(person_id):
        return db.session.scalars(select(Commitment.id).where(Commitment.person_id == person_id)).all()

    b_letters = letters(cast.b.person)
    response = cast.clients["person_a"].post("/practitioner/me/commitment",
                                             data={**commitment_body(cast, "person_a"), "signer": "青岛工程师"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert letters(cast.b.person) == b_letters
    assert len(letters(cast.a.person)) >= 1


def test_a_regulator_cannot_record_a_penalty_in_another_provinces_name(db, cast):
    """Regulator X posts an extra authority_division_code of province Y: the penalty is X's authority's."""
    response = cast.clients["regulator_x"].post("/regulator/penalties/new", data=penalty_body(cast, "regulator_x"))
    assert response.status_code == 302, response.get_data(as_text=True)
    penalty = db.session.scalars(select(Penalty).order_by(Penalty.id.desc())).first()
    assert penalty.authority_division_code == "370000" and penalty.authority == "山东省生态环境厅"
    assert cast.clients["regulator_y"].get(f"/regulator/penalties/{penalty.id}").status_code == 403


def test_the_mirror_firm_a_and_regulator_x_reach_nothing_of_firm_b_or_province_y(db, cast):
    """The matrix sends firm B and regulator Y at firm A's and province X's records; here firm A and regulator X
    meet firm B's and province Y's, by URL and by the same forms: refused, audited, and nothing written."""
    mirror, wrong, probes = mirrored(cast), [], 0
    for role, access, refusal in (("firm_a", "firm_a_record", 404), ("regulator_x", "province_x_record", 403)):
        for name, entry in ROUTES.items():
            for method, method_access in (("GET", entry[0]), ("POST", entry[1])):
                if method_access != access:
                    continue
                before, denied = snapshot(db), denials(db)
                response = cast.clients[role].open(url(name, **entry[2](mirror)), method=method,
                                                   data=cell_body(entry, mirror, role) if method == "POST" else {})
                probes += 1
                outcome = (response.status_code, denials(db), changed_tables(before, snapshot(db)))
                if outcome != (refusal, denied + 1, []):
                    wrong.append(f"{role} {method} {name} -> {response.status_code}")
    assert probes == 30 and not wrong, wrong  # 6 firm probes, 24 regulator probes



# -- authority follows the record: the matrix checks records as they stand; these move them first ------------

def test_a_project_moved_after_a_record_stays_with_the_authorities_that_made_its_records(db, cast):
    """Firm A's project is moved into province Y after X received a complaint and recorded a review (by the
    authorities' own import: the firm itself can no longer move it): X keeps its complaint, Y reaches none of it."""
    project = db.session.get(Project, cast.a.project)
    form = project_form([(cast.a.person, "responsible_manager")], name=project.name, division_code="340102")
    page = cast.clients["firm_a"].post(f"/practitioner/projects/{cast.a.ref}/edit", data=form).get_data(as_text=True)
    assert "不能再由单位修改" in page
    f.create(f.project_record(cast.a.uscc, cast.a.ref, division_code="340102", name=project.name))
    complaint, review = f"/regulator/complaints/{cast.a.complaint}", f"/regulator/withhold/review/{cast.a.review}"
    before, denied = snapshot(db), denials(db)
    y = cast.clients["regulator_y"]
    assert y.get(complaint).status_code == 403 and "青岛举报人" not in y.get(complaint).get_data(as_text=True)
    assert y.post(complaint, data={"status": "verifying"}).status_code == 403
    assert y.post(review, data={"ground": "third_party", "explanation": "涉及第三方商业秘密"}).status_code == 403
    assert changed_tables(before, snapshot(db)) == [] and denials(db) == denied + 4
    assert cast.clients["regulator_x"].get(complaint).status_code == 200
    assert cast.clients["regulator_x"].post(complaint, data={"status": "verifying"}).status_code == 302


def test_a_firm_moved_after_a_record_stays_in_reach_of_its_earlier_regulator(db, cast):
    """Firm A moves its registration into province Y: X still sees the firm it holds records of; Y, now the
    registration jurisdiction, may withhold its basic information, which hides none of X's records; X's own
    withhold of its review is not Y's to lift."""
    body = {**details_body(cast, "firm_a"), "division_code": "340102"}
    assert cast.clients["firm_a"].post("/practitioner/details", data=body).status_code == 302
    assert cast.clients["regulator_x"].get(f"/regulator/units/{cast.a.unit}").status_code == 200
    assert cast.clients["regulator_y"].get(f"/regulator/units/{cast.a.unit}").status_code == 200
    withhold = {"ground": "third_party", "explanation": "涉及第三方商业秘密"}
    assert cast.clients["regulator_y"].post(f"/regulator/withhold/unit/{cast.a.unit}", data=withhold).status_code == 302
    anonymous = cast.clients["anonymous"]
    assert anonymous.get(f"/projects/{cast.a.ref}").status_code == 200  # X's project and review stay public
    assert cast.a.ref in anonymous.get("/open-data/review.csv").get_data(as_text=True)
    assert cast.clients["regulator_x"].post(f"/regulator/withhold/review/{cast.a.review}",
                                            data=withhold).status_code == 302
    before = snapshot(db)
    assert cast.clients["regulator_y"].post(f"/regulator/withhold/review/{cast.a.review}/lift",
                                            data={"reason": "理由已经消失"}).status_code == 403
    assert changed_tables(before, snapshot(db)) == []
