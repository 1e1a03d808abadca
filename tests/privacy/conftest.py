"""The privacy data set and the scanner: a registry whose every full ID number, complainant and firm contact
phone is known, and a search for each of them (and for the hidden eight digits of each number) in text and
in raw bytes."""
import json
import re
from dataclasses import dataclass, field
from itertools import count

import pytest

from registry.security import FULL_ID_NUMBER
from registry.services.demo import generate_records
from tests.factories import (
    complaint_record, create, login, make_id_number, make_uscc, person_record, project_record, review_record,
    unit_record,
)
from tests.portal.conftest import CONTRACT, SECRET_STRINGS, registry_records

DEMO_FIRMS = 12
# What the public must never see besides the collected numbers and phones: an unsubstantiated finding, the
# withheld firm's address, a complaint still being verified, an unsigned person and an unlisted firm.
NOT_PUBLIC = SECRET_STRINGS + ["经核查，举报内容不属实", "合肥市瑶海区长江东路2号", "高远"]
LARGE_FIRM = make_uscc("370200", 961)  # more projects and review outcomes than a profile lists on one page


@dataclass
class Secrets:
    """Everything the public must never read, and the scanner that finds any of it."""

    id_numbers: set[str] = field(default_factory=set)
    strings: set[str] = field(default_factory=set)  # complainants, contact phones, what is not public
    passwords: set[str] = field(default_factory=set)
    scanned: dict[str, int] = field(default_factory=lambda: {"texts": 0, "characters": 0, "files": 0, "bytes": 0})

    def id_needles(self) -> set[str]:
        """Each full number (either case of X), its hidden birth date alone and with one neighbour each side."""
        hidden = {part for number in self.id_numbers for part in (number[6:14], number[5:15])}
        return self.id_numbers | {number.lower() for number in self.id_numbers} | hidden

    def needles(self) -> list[str]:
        return sorted(self.id_needles() | self.strings | self.passwords)

    def in_text(self, where: str, text: str, needles: list[str] | None = None) -> list[str]:
        """The secrets found in one text, and any full ID number at all (known or not)."""
        self.scanned["texts"] += 1
        self.scanned["characters"] += len(text)
        found = [needle for needle in needles or self.needles() if needle in text]
        found += [f"a full ID number {m.group(0)[:6]}..." for m in FULL_ID_NUMBER.finditer(text)]
        return [f"{where}: {item}" for item in found]

    def in_bytes(self, where: str, data: bytes, needles: list[str] | None = None) -> list[str]:
        """The secrets found in raw bytes (UTF-8, as SQLite and Whoosh write text)."""
        self.scanned["files"] += 1
        self.scanned["bytes"] += len(data)
        return [f"{where}: {needle}" for needle in needles or self.needles() if needle.encode() in data]


def collect(records, secrets: Secrets) -> None:
    """Every ID number, contact phone and complainant in exchange-format records."""
    def walk(value, key=None):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key == "id_number":
            secrets.id_numbers.add(value)
        elif isinstance(value, str) and key == "contact_phone":
            secrets.strings.add(value)

    for record in records:
        walk(record)
        if record.get("complainant"):
            secrets.strings.update(v for v in record["complainant"].values() if v)


def privacy_records() -> list[dict]:
    """The portal's registry, and a dozen demo firms whose complainants are people of their own."""
    numbered = count(1)
    records = registry_records()
    for record in generate_records(DEMO_FIRMS, seed=8005, tag="PV"):
        if record["kind"] == "complaint":
            n = next(numbered)
            record["complainant"] = {"name": f"隐名举报人{n}号", "phone": f"1391234{n:04d}"}
        records.append(record)
    public_projects = [r["ref"] for r in records if r["kind"] == "project"][:40:8]
    for status in ("received", "verifying", "substantiated", "unsubstantiated"):
        for ref in public_projects:
            n = next(numbered)
            records.append(complaint_record(ref, f"PV-C{n}", status=status,
                                            complainant={"name": f"隐名举报人{n}号", "phone": f"1391234{n:04d}"}))
    return records + large_firm_records()


def large_firm_records() -> list[dict]:
    """A firm with 60 projects and 60 review outcomes, an engineer (full ID number known) on every project: the
    crawl follows its profile's page links to the second page of each list."""
    engineer = make_id_number("370202", "19840312", 962)
    records = [unit_record(LARGE_FIRM, name="青岛隐私分页修复有限公司"),
               person_record(LARGE_FIRM, engineer, name="孔工程师")]
    for n in range(60):
        ref = f"PV-L{n:02d}"
        records += [project_record(LARGE_FIRM, ref, people=[{"id_number": engineer, "role": "responsible_manager"}]),
                    review_record(ref, 1, n % 3 != 0)]
    return records


@pytest.fixture
def secrets(app) -> Secrets:
    """The contract example and the privacy records imported; what they hold that must stay private."""
    found = Secrets(strings=set(NOT_PUBLIC))
    contract = [json.loads(line) for line in CONTRACT.read_text(encoding="utf-8").splitlines()]
    records = privacy_records()
    create(*contract)
    create(*records)
    collect(contract + records, found)
    return found


def url_paths(html: str) -> list[str]:
    """The link targets of a page, unescaped."""
    return [link.replace("&amp;", "&") for link in re.findall(r'href="([^"#]*)', html)]


def file_a_complaint(app, client, secrets, ref: str = "SU-1", name: str = "钱七隐名", phone: str = "13712345678") -> str:
    """A visitor files a complaint through the project page's form; their name and phone become secrets. Checks
    that it was filed (the redirect to its receipt, the receipt page, and its row with the complainant), so a
    crawl after it scans a registry that holds it. Returns the receipt's address."""
    from urllib.parse import urlsplit

    from sqlalchemy import select

    from public_portal.forms import form_started_token
    from registry.extensions import db
    from registry.models import Complaint

    description = "该项目业绩信息中的完成日期与实际情况明显不符，请核查。"
    app.config["COMPLAINT_MIN_FILL_SECONDS"] = 0
    response = client.post(f"/projects/{ref}/complaints", data={
        "description": description, "name": name, "contact": phone, "website": "", "started": form_started_token()})
    assert response.status_code == 303 and "/complaints/JB" in response.headers["Location"], response.status_code
    receipt = response.headers["Location"]
    number = urlsplit(receipt).path.rsplit("/", 1)[-1]
    assert number in client.get(receipt).get_data(as_text=True)  # the receipt page shows its number
    db.session.expire_all()
    filed = db.session.scalar(select(Complaint).where(Complaint.ref == number))
    assert filed is not None, number
    assert (filed.project.ref, filed.status, filed.description, filed.complainant_name, filed.complainant_contact) \
        == (ref, "received", description, name, phone)
    secrets.strings.update({name, phone, "完成日期与实际情况明显不符"})
    return receipt  # with its check code


def issue_reports(app, client, everyone: bool = False) -> list[str]:
    """Visitors issue credit reports through the profiles' forms: of the large firm (an engineer whose number is
    known is on its every project) and of its engineer, or with `everyone` of every listed firm and person.
    Returns the report numbers."""
    from sqlalchemy import select

    from registry.clock import today
    from registry.extensions import db
    from registry.models import Person, Unit
    from registry.visibility import person_listed, unit_listed

    app.config["REPORTS_PER_ADDRESS_PER_HOUR"] = 10**6
    if everyone:
        units = list(db.session.scalars(select(Unit.uscc).where(unit_listed(today())).order_by(Unit.uscc)))
        persons = list(db.session.scalars(select(Person.public_id).where(person_listed(today()))
                                          .order_by(Person.public_id)))
    else:
        units = [LARGE_FIRM]
        persons = list(db.session.scalars(select(Person.public_id).where(Person.name == "孔工程师")))
    numbers = []
    for path in [f"/units/{uscc}" for uscc in units] + [f"/persons/{public_id}" for public_id in persons]:
        response = client.post(f"{path}/report", data={"purpose": "隐私检查用的招标项目"})
        assert response.status_code == 303, (path, response.status_code)
        numbers.append(response.headers["Location"].rsplit("/", 1)[-1])
    return numbers


# -- the private journeys: what people type that must never surface --------------------------------------

STAFF_ID = make_id_number("370202", "19890615", 731)  # added by the firm on its staff page
UNKNOWN_ID = make_id_number("370211", "19850101", 732)  # looked up by the regulator, not in the registry
WRONG_PASSWORDS = ["Wrong-Guess-Password-1", "Wrong-Guess-Password-2", "Wrong-Guess-Password-3"]
REGULATOR_PASSWORD = "Qingdao-Regulator-Pass-2026"
PERSON_PASSWORD = "Lin-Haiyan-Own-Pass-2026"


def private_journeys(app, secrets: Secrets) -> dict[str, int]:
    """People type ID numbers and passwords into the forms (story in the comments); what each step answered."""
    # A firm registers and adds a staff member by ID number; the person redeems the invitation with theirs and
    # signs; someone guesses the firm's password; a regulator looks people up by full number and reveals one.
    from registry.access import SYSTEM
    from registry.services.regulator_accounts import create_regulator
    from tests.practitioner.conftest import PASSWORD, add_staff, register, shown_code, sign

    secrets.id_numbers.update({STAFF_ID, UNKNOWN_ID})
    secrets.passwords.update([PASSWORD, REGULATOR_PASSWORD, PERSON_PASSWORD, *WRONG_PASSWORDS])
    statuses = {}
    firm, uscc = app.test_client(), make_uscc("370200", 7301)
    statuses["register"] = register(firm, uscc=uscc, name="青岛隐私测试修复有限公司").status_code
    statuses["sign"] = sign(firm, signer="张海").status_code
    added = add_staff(firm, "隐私测试员", STAFF_ID)
    statuses["add staff"] = added.status_code
    person = app.test_client()
    statuses["redeem invitation"] = person.post("/practitioner/invitation", data={
        "code": shown_code(added.get_data(as_text=True)), "id_number": STAFF_ID, "username": "privacy-person",
        "email": "", "password": PERSON_PASSWORD, "confirm": PERSON_PASSWORD}).status_code
    statuses["person signs"] = sign(person, signer="隐私测试员", url="/practitioner/me/commitment").status_code
    guesser = app.test_client()
    for number, wrong in enumerate(WRONG_PASSWORDS):
        statuses[f"wrong password {number}"] = login(guesser, uscc, wrong, refused=True).status_code
    create_regulator(SYSTEM, username="privacy-regulator", display_name="隐私监管员", division_code="370200",
                     authority_name="青岛市生态环境局", password=REGULATOR_PASSWORD)
    regulator = app.test_client()
    statuses["regulator login"] = login(regulator, "privacy-regulator", REGULATOR_PASSWORD).status_code
    for number in (STAFF_ID, UNKNOWN_ID, "370202198403120458"):
        statuses[f"lookup {number[:6]}"] = regulator.post("/regulator/persons/lookup",
                                                          data={"id_number": number}).status_code
    staff_member = db_person_id("隐私测试员")
    revealed = regulator.post(f"/regulator/persons/{staff_member}/reveal")
    assert STAFF_ID in revealed.get_data(as_text=True)  # the regulator sees it once, on an explicit POST
    statuses["reveal"] = revealed.status_code
    assert set(statuses.values()) <= {200, 302}, statuses  # every step was answered as the person meant it
    return statuses


def db_person_id(name: str) -> int:
    from sqlalchemy import select

    from registry.extensions import db
    from registry.models import Person

    return db.session.scalar(select(Person.id).where(Person.name == name))
