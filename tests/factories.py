"""Factories for test records, built through the exchange-format import (the same path as a bulk load), and
the one way a test signs in.

Each `*_record` returns a dict in the exchange format; `create(*records)` imports them. Check characters
are computed, so every generated ID number and credit code is valid.
"""
import itertools

from stdnum.cn import ric, uscc

from registry.access import SYSTEM
from registry.exchange import import_records

_serial = itertools.count(1)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(division_code: str = "370200", serial: int | None = None) -> str:
    """A valid unified social credit code for a firm registered in `division_code`."""
    serial = next(_serial) if serial is None else serial
    org = "".join(USCC_ALPHABET[(serial * 7 + i * 13) % 31] for i in range(8))
    body = f"91{division_code}{org}{serial % 10}"
    return body + uscc.calc_check_digit(body)


def make_id_number(division_code: str = "370202", birth: str = "19840312", serial: int | None = None) -> str:
    """A valid 18-character resident ID number."""
    serial = next(_serial) if serial is None else serial
    body = f"{division_code}{birth}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check character


def unit_record(uscc_code: str | None = None, *, name: str | None = None, division_code: str = "370202",
                signed: bool = True, **fields) -> dict:
    n = next(_serial)
    return {
        "kind": "unit",
        "uscc": uscc_code or make_uscc(division_code[:4] + "00", n),
        "name": name or f"测试环境修复有限公司{n}号",
        "legal_representative": "张三",
        "division_code": division_code,
        "address": f"测试市测试路{n}号",
        "categories": ["remediation_construction"],
        "contact_phone": "0532-80000000",
        "commitment": {"signed_at": "2025-01-06T09:30:00+08:00", "signer": "张三"} if signed else None,
        **fields,
    }


def person_record(unit_uscc: str, id_number: str | None = None, *, name: str | None = None, signed: bool = True,
                  **fields) -> dict:
    return {
        "kind": "person",
        "id_number": id_number or make_id_number(),
        "name": name or f"测试人员{next(_serial)}",
        "unit_uscc": unit_uscc,
        "title": "项目经理",
        "commitment": {"signed_at": "2025-01-06T09:30:00+08:00", "signer": "本人"} if signed else None,
        **fields,
    }


def project_record(unit_uscc: str, ref: str | None = None, **fields) -> dict:
    n = next(_serial)
    return {
        "kind": "project",
        "ref": ref or f"T-{n}",
        "unit_uscc": unit_uscc,
        "category": "remediation_construction",
        "name": f"测试地块修复工程{n}",
        "parcel_name": f"原测试化工厂地块{n}",
        "division_code": "370211",
        "area_m2": 20000,
        "owner": "测试市土地储备中心",
        "former_industry": "C2614",
        "contract_deadline": "2024-06-30",
        "completed_on": "2024-06-01",
        "people": [],
        **fields,
    }


def review_record(project_ref: str, round_number: int = 1, passed: bool = True, **fields) -> dict:
    return {
        "kind": "review",
        "project_ref": project_ref,
        "report_type": "remediation_effect_report",
        "round": round_number,
        "reviewed_on": "2024-07-01",
        "passed": passed,
        "authority": "青岛市生态环境局",
        "authority_division_code": "370200",
        **fields,
    }


# What the regulator's form requires of every new decision beyond the party, number, date, kinds and fine
# (registry/rules/double_publicity.py); the exchange format keeps these optional.
DOUBLE_PUBLICITY = {"violation_type": "出具虚假报告", "violation": "在修复效果评估报告中篡改检测数据",
                    "basis": "《中华人民共和国土壤污染防治法》第九十条第一款", "content": "罚款并通报批评",
                    "authority_uscc": "11370200MB2843567A", "data_source": "青岛市生态环境局"}


def penalty_record(subject: dict, decision_number: str | None = None, **fields) -> dict:
    return {
        "kind": "penalty",
        "decision_number": decision_number or f"青环罚〔2026〕{next(_serial)}号",
        "subject": subject,
        "authority": "青岛市生态环境局",
        "authority_division_code": "370200",
        "decided_on": "2026-09-01",
        "kinds": ["fine", "practice_ban"] if fields.get("ban") else ["fine"],  # a ban is the kind 禁止从业
        "severity": "serious" if fields.get("ban") else "ordinary",  # Soil Law art. 90: a ban only if serious
        "fine_yuan": 100000,
        "violation": "出具虚假报告",
        "basis": "《中华人民共和国土壤污染防治法》第九十条",
        "ban": None,
        **fields,
    }


def complaint_record(project_ref: str, ref: str | None = None, status: str = "received", **fields) -> dict:
    verified = status in ("substantiated", "unsubstantiated")
    return {
        "kind": "complaint",
        "ref": ref or f"C-{next(_serial)}",
        "project_ref": project_ref,
        "received_on": "2026-10-01",
        "status": status,
        "verified_on": "2026-10-20" if verified else None,
        "finding": {"substantiated": "经核查，业绩信息与实际不符", "unsubstantiated": "经核查，举报内容不属实"}.get(status),
        "authority": "青岛市生态环境局",
        "authority_division_code": "370200",
        "complainant": {"name": "举报人甲", "phone": "13900000000"},
        **fields,
    }


def create(*records: dict):
    """Import the records (inside an app context) and return the import report."""
    return import_records(SYSTEM, list(records))


def login(client, username: str, password: str, *, refused: bool = False):
    """Sign in through the form, as a person would, and check the answer: a redirect (to the account's home or
    to the second step), or with `refused=True` the form again. Returns the response."""
    response = client.post("/login", data={"username": username, "password": password})
    expected = 200 if refused else 302
    assert response.status_code == expected, (username, response.status_code, response.get_data(as_text=True)[:600])
    return response
