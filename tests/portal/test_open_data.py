"""Open data: the public records as JSON Lines in the exchange format (--public) and as CSV, dated."""
import csv
import io
import json

from tests.factories import create, unit_record
from tests.portal.conftest import HUAXIA, JIAOHUA, JINGHUA, LVYUAN, SUJING, YUEQING


def test_the_open_data_page_offers_both_formats_with_the_generation_date(client, registry_data):
    text = client.get("/open-data").get_data(as_text=True)
    assert "2026-11-26" in text and "registry-public.jsonl" in text
    for kind in ("unit", "person", "project", "review", "penalty", "complaint"):
        assert f"/open-data/{kind}.csv" in text


def test_json_lines_in_the_public_exchange_format(client, registry_data):
    response = client.get("/open-data/registry-public.jsonl")
    assert response.status_code == 200 and "registry-public-20261126.jsonl" in response.headers["Content-Disposition"]
    records = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert records[0]["kind"] == "meta" and records[0]["generated_on"] == "2026-11-26"
    units = {r["uscc"]: r for r in records if r["kind"] == "unit"}
    assert set(units) == {SUJING, JIAOHUA, LVYUAN, YUEQING, JINGHUA, HUAXIA}  # the listed firms, once each
    assert "address" not in units[YUEQING] and units[SUJING]["address"]
    persons = [r for r in records if r["kind"] == "person"]
    assert all("id_number" not in p and "********" in p["id_number_masked"] for p in persons)
    complaints = [r for r in records if r["kind"] == "complaint"]
    assert [c["ref"] for c in complaints] == ["C-SUB"] and "complainant" not in complaints[0]


def test_csv_files_hold_the_same_public_records(client, registry_data):
    response = client.get("/open-data/unit.csv")
    assert response.mimetype == "text/csv"
    assert "registry-public-unit-20261126.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    by_code = {row["uscc"]: row for row in rows}
    assert len(rows) == 6 and by_code[SUJING]["name"] == "江苏苏净环保科技有限公司"
    assert set(by_code[SUJING]["categories"].split(";")) == {"remediation_construction", "investigation"}
    assert by_code[YUEQING]["address"] == "" and all(row["generated_on"] == "2026-11-26" for row in rows)
    penalties = list(csv.DictReader(io.StringIO(client.get("/open-data/penalty.csv").get_data(as_text=True)
                                                .lstrip("\ufeff"))))
    decisions = {row["decision_number"]: row for row in penalties}
    assert decisions["晋环罚〔2026〕5号"]["ban.until"] == "2027-12-31"
    assert decisions["京环罚〔2025〕1号"]["ban.lifetime"] == "true"
    assert decisions["京环罚〔2025〕1号"]["violation"] == ""  # only its ban is still public
    assert "浙环罚〔2026〕9号" not in decisions and "沪环罚〔2026〕3号" not in decisions
    assert decisions["晋环罚〔2026〕6号"]["subject.id_number_masked"].startswith("370202********")
    assert client.get("/open-data/secrets.csv").status_code == 404
    assert JINGHUA in {row["subject.uscc"] for row in penalties}


def test_a_name_that_looks_like_a_formula_stays_text_in_the_csv(client, app):
    formula = '=HYPERLINK("http://example.invalid","点此")'
    create(unit_record(name=formula))
    rows = list(csv.DictReader(io.StringIO(client.get("/open-data/unit.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["name"] for row in rows] == ["'" + formula]  # a spreadsheet shows it, never runs it
    units = [json.loads(line) for line in client.get("/open-data/registry-public.jsonl").get_data(as_text=True).splitlines()]
    assert [u["name"] for u in units if u.get("kind") == "unit"] == [formula]
