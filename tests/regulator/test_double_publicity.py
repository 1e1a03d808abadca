"""Every double-publicity field of a decision is stored as decided (a later rename changes
nothing published) and shown on the public page, in the API (PenaltySchema, listed in the OpenAPI document)
and in both open-data formats."""
import csv
import io
import json

from sqlalchemy import select

from registry.access import SYSTEM
from registry.extensions import db as _db
from registry.models import Penalty, Unit
from registry.exchange import import_records
from tests import factories as f
from tests.regulator.conftest import QD_ID
from tests.regulator.test_penalties import firm_penalty, uscc_of

FIELDS = {"violation_type": "出具虚假报告", "content": "罚款二十万元并通报批评", "confiscated_yuan": "35000.50",
          "licence_action": "吊销土壤污染状况调查资质证书（编号TR-0042）", "authority_uscc": "11370200MB2843567A",
          "data_source": "青岛市生态环境局行政处罚系统"}


def record(as_qingdao, db, world) -> str:
    uscc = uscc_of(db, world.qd.unit)
    response = as_qingdao.post("/regulator/penalties/new", data=firm_penalty(uscc, **FIELDS, decision_number="青环罚〔2026〕50号"))
    assert response.status_code == 302, response.get_data(as_text=True)
    return uscc


def test_the_party_is_kept_as_decided_whatever_the_firm_becomes(as_qingdao, db, world):
    uscc = record(as_qingdao, db, world)
    unit = db.session.scalar(select(Unit).where(Unit.uscc == uscc))
    decided_name, decided_representative = unit.name, unit.legal_representative
    unit.name, unit.legal_representative = "改名后的公司", "李四"
    db.session.commit()
    _db.session.expire_all()
    penalty = db.session.scalar(select(Penalty).where(Penalty.decision_number == "青环罚〔2026〕50号"))
    assert (penalty.party_name, penalty.legal_representative) == (decided_name, decided_representative)
    assert decided_name == "青岛环境修复有限公司" and decided_representative


def test_every_field_on_the_public_page_the_api_and_both_open_data_formats(as_qingdao, client, db, world):
    uscc = record(as_qingdao, db, world)
    penalty = db.session.scalar(select(Penalty).where(Penalty.decision_number == "青环罚〔2026〕50号"))
    expected = [penalty.party_name, penalty.legal_representative, FIELDS["violation_type"], FIELDS["content"],
                FIELDS["licence_action"], FIELDS["authority_uscc"], FIELDS["data_source"]]
    page = client.get(f"/units/{uscc}").get_data(as_text=True)
    assert all(value in page for value in expected) and "35,000.50" in page
    answer = client.get(f"/api/v1/units/{uscc}").get_json()
    item = next(p for p in answer["penalties"] if p["decision_number"] == "青环罚〔2026〕50号")
    assert [item[k] for k in ("party_name", "legal_representative", "violation_type", "content", "licence_action",
                              "authority_uscc", "data_source")] == expected
    assert item["confiscated_yuan"] == 35000.5
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Penalty"]["properties"]
    assert {"party_name", "legal_representative", "id_type", "violation_type", "content", "confiscated_yuan",
            "licence_action", "authority_uscc", "data_source"} <= set(schema)
    rows = list(csv.DictReader(io.StringIO(client.get("/open-data/penalty.csv").get_data(as_text=True).lstrip("\ufeff"))))
    row = next(r for r in rows if r["decision_number"] == "青环罚〔2026〕50号")
    assert [row[k] for k in ("party_name", "legal_representative", "violation_type", "content", "licence_action",
                             "authority_uscc", "data_source")] == expected
    assert row["confiscated_yuan"] == "35000.50"
    lines = [json.loads(line) for line in client.get("/open-data/registry-public.jsonl").get_data(as_text=True).splitlines()]
    line = next(x for x in lines if x.get("decision_number") == "青环罚〔2026〕50号")
    assert [line[k] for k in ("party_name", "legal_representative", "violation_type", "content", "licence_action",
                              "authority_uscc", "data_source")] == expected


def test_a_persons_penalty_records_the_id_type_and_never_the_number(client, db, world):
    import_records(SYSTEM, [f.penalty_record({"id_number": QD_ID}, "青环罚〔2026〕51号", decided_on="2026-11-01")])
    penalty = db.session.scalar(select(Penalty).where(Penalty.decision_number == "青环罚〔2026〕51号"))
    assert (penalty.id_type, penalty.party_name) == ("resident_id_card", "青岛工程师")
    text = client.get("/open-data/penalty.csv").get_data(as_text=True)
    assert "resident_id_card" in text and QD_ID not in text
