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
from tests.factories import complaint_record, create
from tests.portal.conftest import CONTRACT, SECRET_STRINGS, registry_records

DEMO_FIRMS = 12
# What the public must never see besides the collected numbers and phones: an unsubstantiated finding, the
# withheld firm's address, a complaint still being verified, an unsigned person and an unlisted firm.
NOT_PUBLIC = SECRET_STRINGS + ["经核查，举报内容不属实", "合肥市瑶海区长江东路2号", "高远"]


@dataclass
class Secrets:
    """Everything the public must never read, and the scanner that finds any of it."""

    id_numbers: set[str] = field(default_factory=set)
    strings: set[str] = field(default_factory=set)
    scanned: dict[str, int] = field(default_factory=lambda: {"texts": 0, "characters": 0, "files": 0, "bytes": 0})

    def needles(self) -> list[str]:
        """Each full number, its hidden birth date alone and with one neighbour each side, and every string."""
        hidden = {part for number in self.id_numbers for part in (number[6:14], number[5:15])}
        return sorted(self.id_numbers | {n.lower() for n in self.id_numbers} | hidden | self.strings)

    def in_text(self, where: str, text: str) -> list[str]:
        """The secrets found in one text, and any full ID number at all (known or not)."""
        self.scanned["texts"] += 1
        self.scanned["characters"] += len(text)
        found = [needle for needle in self.needles() if needle in text]
        found += [f"a full ID number {m.group(0)[:6]}..." for m in FULL_ID_NUMBER.finditer(text)]
        return [f"{where}: {item}" for item in found]

    def in_bytes(self, where: str, data: bytes) -> list[str]:
        """The secrets found in raw bytes (UTF-8, as SQLite and Whoosh write text)."""
        self.scanned["files"] += 1
        self.scanned["bytes"] += len(data)
        return [f"{where}: {needle}" for needle in self.needles() if needle.encode() in data]


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


def file_a_complaint(app, client, secrets, ref: str = "SU-1", name: str = "钱七隐名", phone: str = "13712345678"):
    """A visitor files a complaint through the project page's form; their name and phone become secrets."""
    from public_portal.forms import form_started_token

    app.config["COMPLAINT_MIN_FILL_SECONDS"] = 0
    response = client.post(f"/projects/{ref}/complaints", data={
        "description": "该项目业绩信息中的完成日期与实际情况明显不符，请核查。", "name": name, "contact": phone,
        "website": "", "started": form_started_token()})
    assert response.status_code == 200, response.status_code
    secrets.strings.update({name, phone, "完成日期与实际情况明显不符"})
