"""Open data: the public records as JSON Lines in the exchange format (--public) and as CSV, built into files by
`flask registry publish` (and after writes, debounced), each with a gzip copy and a manifest, served as files."""
import csv
import gzip
import hashlib
import io
import json
import os
import time

import pytest

from registry.access import SYSTEM
from registry.exchange import export_jsonl, import_jsonl
from registry.exchange import opendata
from public_portal.opendata import data_dictionary
from registry.generation import current
from registry.services.people import new_public_id
from tests.factories import create, make_uscc, penalty_record, unit_record
from tests.portal.conftest import ALL_FULL_ID_NUMBERS, HUAXIA, JIAOHUA, JINGHUA, LI_ID, LVYUAN, SUJING, YUEQING


@pytest.fixture
def publish(runner):
    """Run `flask registry publish`; the manifest it wrote."""
    def run():
        result = runner.invoke(args=["registry", "publish"])
        assert result.exit_code == 0, result.output
        return opendata.read_manifest()
    return run


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def every_published_byte(manifest) -> dict[str, bytes]:
    """Each file of the build (the gzip copies decompressed) and the manifest itself."""
    files = {"manifest.json": (opendata.open_data_dir() / opendata.MANIFEST_NAME).read_bytes()}
    for name in manifest["files"]:
        files[name] = opendata.published_path(manifest, name).read_bytes()
        files[f"{name}.gz"] = gzip.decompress(opendata.published_path(manifest, name, packed=True).read_bytes())
    return files


def wait_for_build(client, path: str, seconds: float = 60):
    """GET PATH until the first build has finished (a 503 meanwhile); the answer."""
    deadline = time.monotonic() + seconds
    while (response := client.get(path)).status_code == 503 and time.monotonic() < deadline:
        assert response.headers["Retry-After"] == "60"
        time.sleep(0.05)
    return response


def test_the_open_data_page_shows_each_file_its_dictionary_and_licence(client, registry_data, publish):
    manifest = publish()
    text = client.get("/open-data").get_data(as_text=True)
    assert "2026-11-26" in text and "registry-public.jsonl" in text and "CC BY 4.0" in text
    for kind in ("unit", "person", "project", "review", "penalty", "complaint"):
        assert f"/open-data/{kind}.csv" in text
    for entry in manifest["files"].values():
        assert entry["sha256"] in text
    assert "北京时间" in text and "数据字典" in text and "subject.id_number_masked" in text
    english = client.get("/open-data?lang=en").get_data(as_text=True)
    assert "Data dictionary" in english and "Unified social credit code of the firm (18 characters)" in english


def test_the_data_dictionary_describes_every_field_of_every_file(app, registry_data):
    dictionary = data_dictionary()
    documented = {kind: [entry.name for entry in entries] for kind, entries in dictionary.items()}
    for kind, columns in opendata.CSV_KINDS.items():
        assert documented[kind] == columns + ["generated_on"]  # the CSV columns, in file order
    with app.test_request_context("/open-data?lang=en"):
        assert all(str(e.type) and str(e.meaning) for entries in dictionary.values() for e in entries)
    # every field the JSON Lines file holds (a field inside an object as a dotted name) is a documented column
    held = {}
    for line in list(export_jsonl(public=True))[1:]:
        record = json.loads(line)
        held.setdefault(record["kind"], set()).update(
            f"{key}.{inner}" if isinstance(value, dict) else key
            for key, value in record.items() if key != "kind"
            for inner in (value if isinstance(value, dict) else [None]))
    assert set(held) == set(opendata.CSV_KINDS)
    undocumented = {kind: {field for field in fields if field not in documented[kind]  # a null object: its columns
                           and not any(column.startswith(field + ".") for column in documented[kind])}
                    for kind, fields in held.items()}
    assert undocumented == {kind: set() for kind in held}


def test_json_lines_in_the_public_exchange_format(client, registry_data, publish):
    publish()
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


def test_csv_files_hold_the_same_public_records(client, registry_data, publish):
    publish()
    response = client.get("/open-data/unit.csv")
    assert response.mimetype == "text/csv"
    assert "registry-public-unit-20261126.csv" in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    by_code = {row["uscc"]: row for row in rows}
    assert len(rows) == 6 and by_code[SUJING]["name"] == "江苏苏净环保科技有限公司"
    assert set(by_code[SUJING]["categories"].split(";")) == {"remediation_construction", "investigation"}
    assert by_code[YUEQING]["address"] == "" and all(row["generated_on"] == "2026-11-26" for row in rows)
    penalties = csv_rows(client.get("/open-data/penalty.csv"))
    decisions = {row["decision_number"]: row for row in penalties}
    assert decisions["晋环罚〔2026〕5号"]["ban.until"] == "2027-12-31"
    assert decisions["京环罚〔2025〕1号"]["ban.lifetime"] == "true"
    assert decisions["京环罚〔2025〕1号"]["violation"] == ""  # only its ban is still public
    assert "浙环罚〔2026〕9号" not in decisions and "沪环罚〔2026〕3号" not in decisions
    assert decisions["晋环罚〔2026〕6号"]["subject.id_number_masked"].startswith("370202********")
    assert client.get("/open-data/secrets.csv").status_code == 404
    assert JINGHUA in {row["subject.uscc"] for row in penalties}


def test_a_name_that_looks_like_a_formula_stays_text_in_the_csv(client, app, publish):
    formula = '=HYPERLINK("http://example.invalid","点此")'
    create(unit_record(name=formula))
    publish()
    rows = csv_rows(client.get("/open-data/unit.csv"))
    assert [row["name"] for row in rows] == ["'" + formula]  # a spreadsheet shows it, never runs it
    units = [json.loads(line) for line in client.get("/open-data/registry-public.jsonl").get_data(as_text=True).splitlines()]
    assert [u["name"] for u in units if u.get("kind") == "unit"] == [formula]


def test_a_persons_public_id_is_never_led_by_a_character_the_csv_would_quote():
    """A public id led by "-" came out of person.csv as "'-…", which names no one in the API or the portal."""
    ids = [new_public_id() for _ in range(3000)]  # one in 64 was so led: at least one here, but for 1e-20
    assert not [public_id for public_id in ids if public_id.startswith(opendata.FORMULA_STARTS)]
    assert len(set(ids)) == len(ids) and all(len(public_id) == 16 for public_id in ids)


# ---- the files: built once, described by the manifest, served as files ----------------------------------

def test_a_build_reads_the_registry_in_as_many_statements_however_many_firms_it_holds(app, registry_data, tmp_path):
    """Each kind is read by batches of rows, with what its records show (a firm's categories, a person's
    employments, a project's roles): the build's statements do not grow with the records (a firm's categories were
    loaded one statement a firm, 50,000 in a national build)."""
    from sqlalchemy import event

    from registry.extensions import db

    def statements(work) -> int:
        executed = []
        event.listen(db.engine, "before_cursor_execute", count := lambda *args: executed.append(1))
        try:
            work()
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(executed)

    def counted() -> tuple[int, int]:  # the open-data build, and the full export (a backup) likewise
        return statements(lambda: opendata.build(tmp_path / str(time.monotonic_ns()))), \
            statements(lambda: list(export_jsonl()))

    before = counted()
    create(*(unit_record(make_uscc("320500", 300 + n), name=f"开放数据计数{n}有限公司", division_code="320506")
             for n in range(5)))
    assert counted() == before


def test_publish_builds_every_file_with_its_gzip_copy_and_a_manifest_that_describes_them(registry_data, publish):
    manifest = publish()
    assert manifest["generation"] == current().number and manifest["day"] == "2026-11-26"
    assert manifest["built_at"].endswith("+08:00")  # Beijing time
    assert set(manifest["files"]) == {"registry-public.jsonl"} | {f"{kind}.csv" for kind in opendata.CSV_KINDS}
    lines = opendata.published_path(manifest, "registry-public.jsonl").read_text(encoding="utf-8").splitlines()
    by_kind = {}
    for line in lines[1:]:
        by_kind[json.loads(line)["kind"]] = by_kind.get(json.loads(line)["kind"], 0) + 1
    assert manifest["files"]["registry-public.jsonl"]["records"] == {kind: by_kind.get(kind, 0)
                                                                      for kind in opendata.CSV_KINDS}
    for name, entry in manifest["files"].items():
        data = opendata.published_path(manifest, name).read_bytes()
        packed = opendata.published_path(manifest, name, packed=True).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (entry["size"], entry["sha256"])
        assert (len(packed), hashlib.sha256(packed).hexdigest()) == (entry["gzip"]["size"], entry["gzip"]["sha256"])
        assert gzip.decompress(packed) == data
        if name.endswith(".csv"):
            assert entry["records"] == {name[:-4]: len(data.decode("utf-8-sig").splitlines()) - 1}
    assert "".join(export_jsonl(public=True)).encode("utf-8") == \
        opendata.published_path(manifest, "registry-public.jsonl").read_bytes()


def test_a_download_has_its_length_etag_and_date_and_a_client_that_has_it_gets_a_304(client, registry_data, publish):
    manifest = publish()
    entry = manifest["files"]["unit.csv"]
    plain = client.get("/open-data/unit.csv", headers={"Accept-Encoding": "identity"})
    assert plain.headers["Content-Length"] == str(entry["size"]) and "Content-Encoding" not in plain.headers
    assert plain.headers["ETag"] == f'"{entry["sha256"]}"' and plain.headers["Last-Modified"]
    assert "public" in plain.headers["Cache-Control"] and "Accept-Encoding" in plain.headers["Vary"]
    packed = client.get("/open-data/unit.csv", headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip" and packed.headers["ETag"] == f'"{entry["gzip"]["sha256"]}"'
    assert packed.headers["Content-Length"] == str(entry["gzip"]["size"])
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    again = client.get("/open-data/unit.csv", headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    since = client.get("/open-data/unit.csv", headers={"If-Modified-Since": plain.headers["Last-Modified"]})
    assert since.status_code == 304
    listed = client.get("/open-data/manifest.json")
    assert listed.json["files"]["unit.csv"]["sha256"] == entry["sha256"]
    assert client.get("/open-data/manifest.json", headers={"If-None-Match": listed.headers["ETag"]}).status_code == 304


def test_before_the_first_build_a_download_answers_503_and_starts_the_build(app, client, registry_data):
    app.config["OPEN_DATA_WAIT_SECONDS"] = 0
    first = client.get("/open-data/penalty.csv")
    assert first.status_code == 503 and first.headers["Retry-After"] == "60"
    assert client.get("/open-data").status_code in (200, 503)
    assert wait_for_build(client, "/open-data/penalty.csv").status_code == 200


def test_a_write_that_withdraws_a_record_is_gone_from_every_file_after_the_rebuild(app, client, registry_data, publish):
    """A penalty repaired (its publicity ends) takes the penalty, and the person listed only by it, out of every
    file: at once when the last build is older than the debounce, never before the rebuild."""
    before = publish()
    assert "晋环罚〔2026〕6号" in client.get("/open-data/penalty.csv").get_data(as_text=True)
    app.config["OPEN_DATA_DEBOUNCE_SECONDS"] = 3600
    repaired = penalty_record({"id_number": LI_ID}, "晋环罚〔2026〕6号", authority="山西省生态环境厅",
                              decided_on="2026-06-01", kinds=["fine"], fine_yuan=30000, repaired_on="2026-11-20")
    import_jsonl(SYSTEM, [json.dumps(repaired, ensure_ascii=False)])
    assert current().number > before["generation"]
    # within the debounce interval the previous files are served, and no build starts
    assert opendata.refresh_in_background() is None
    assert client.get("/open-data/manifest.json").json["build"] == before["build"]
    app.config["OPEN_DATA_DEBOUNCE_SECONDS"] = 0
    after = client.get("/open-data/manifest.json").json  # the test config waits for the build it starts
    assert after["build"] != before["build"] and after["generation"] == current().number
    files = every_published_byte(after)
    assert all("晋环罚〔2026〕6号".encode() not in data for data in files.values())
    assert all("李四".encode() not in data for data in files.values())
    assert "晋环罚〔2026〕6号" not in client.get("/open-data/penalty.csv").get_data(as_text=True)


def test_a_build_after_a_write_runs_in_a_child_process_and_leaves_the_worker_as_it_was(app, registry_data, publish):
    """The worker that notices the stale files forks a child to build them: the build's memory is the child's, and
    the worker keeps answering. The child ends by itself and nothing of it stays in the worker."""
    before = publish()
    app.config["TODAY"] = "2026-11-27"
    child = opendata.refresh_in_background()
    assert child.pid != os.getpid()
    child.join(60)
    assert child.exitcode == 0 and not child.is_alive()
    assert opendata.read_manifest()["build"] != before["build"]
    assert opendata.refresh_in_background() is None  # built: nothing more is due


def test_the_files_are_rebuilt_when_the_beijing_day_changes(app, client, registry_data, publish):
    """What is public changes with the day (a ban runs out, a publicity period ends) without any write."""
    publish()
    app.config["OPEN_DATA_DEBOUNCE_SECONDS"] = 3600  # the day change does not wait for the debounce
    app.config["TODAY"] = "2030-01-01"
    rebuilt = client.get("/open-data/manifest.json").json
    assert rebuilt["day"] == "2030-01-01"
    served = client.get("/open-data/registry-public.jsonl", headers={"Accept-Encoding": "identity"}).get_data()
    assert served == "".join(export_jsonl(public=True)).encode("utf-8")
    assert "晋环罚〔2026〕5号" not in served.decode("utf-8")  # its ban ended on 2027-12-31


def test_no_full_id_number_is_in_any_file_the_manifest_or_the_page(client, registry_data, publish):
    manifest = publish()
    published = every_published_byte(manifest)
    published["/open-data"] = client.get("/open-data").get_data()
    published["/open-data?lang=en"] = client.get("/open-data?lang=en").get_data()
    for name, data in published.items():
        assert [n for n in ALL_FULL_ID_NUMBERS if n.encode() in data] == [], name
    assert b"********" in published["person.csv"]  # persons are there, masked


def test_one_build_at_a_time_and_a_reader_never_sees_half_a_build(app, runner, registry_data, publish):
    first = publish()
    with opendata.build_lock() as locked:
        assert locked
        refused = runner.invoke(args=["registry", "publish", "--no-wait"])
        assert refused.exit_code == 1 and "another build is running" in refused.output
        app.config["TODAY"] = "2026-11-27"  # a build is due, but the lock is held: the child builds nothing
        child = opendata.refresh_in_background()
        child.join(30)
        assert child.exitcode == 0
    assert opendata.read_manifest()["build"] == first["build"]
    app.config["TODAY"] = "2026-11-26"
    seen = []

    def read_while_building(_count):
        # mid-build: the manifest still names the old build, whose files are whole and match it
        manifest = opendata.read_manifest()
        seen.append(manifest["build"])
        data = opendata.published_path(manifest, "unit.csv").read_bytes()
        assert hashlib.sha256(data).hexdigest() == manifest["files"]["unit.csv"]["sha256"]

    with opendata.build_lock() as locked:
        second = opendata.build(progress=read_while_building)
    assert seen == [first["build"]] and second["build"] != first["build"]
    assert sorted(p.name for p in (opendata.open_data_dir() / "builds").iterdir()) == \
        sorted([first["build"], second["build"]])  # the previous build stays for downloads that began on it
    third = opendata.build()
    assert sorted(p.name for p in (opendata.open_data_dir() / "builds").iterdir()) == \
        sorted([second["build"], third["build"]])


def test_the_open_data_page_lists_every_code_with_its_name_in_the_reader_s_language(client):
    """The data dictionary's codes are explained: each code list, the columns that hold it, every code named."""
    from public_portal.opendata import CODE_LIST_COLUMNS
    from registry.exchange.opendata import CSV_EXTRA_COLUMNS, CSV_KINDS

    columns = {column for kind_columns in CSV_KINDS.values() for column in kind_columns + CSV_EXTRA_COLUMNS}
    assert {c for listed in CODE_LIST_COLUMNS.values() for c in listed} <= columns  # real columns only
    zh = client.get("/open-data").get_data(as_text=True)
    en = client.get("/open-data?lang=en").get_data(as_text=True)
    assert "<td><code>practice_ban</code></td><td>禁止从业</td>" in zh
    assert "<td><code>practice_ban</code></td><td>practice ban</td>" in en
    assert "<td><code>resident_id_card</code></td><td>resident identity card</td>" in en
    assert "<td><code>61</code></td><td>Shaanxi</td>" in en
    assert "<td><code>C26</code></td><td>化学原料和化学制品制造业</td>" in zh
    assert "<td><code>C26</code></td><td>Manufacture of Raw Chemical Materials and Chemical Products</td>" in en
    assert 'id="code-lists"' in en and "Licence" in en and "Data dictionary" in en
