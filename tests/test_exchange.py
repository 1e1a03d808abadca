"""The exchange format: the contract example imports; the same file twice changes nothing; a bad line is
refused by number, field and reason, and the database is unchanged."""
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy import text as sa_text

from registry.access import SYSTEM
from registry.app import create_app
from registry.exchange import ExchangeError, export_jsonl, import_jsonl, import_records
from registry.extensions import db as registry_db
from registry.models import AuditEvent, Complaint, Penalty, Person, Project, ProjectRole, Review, Unit
from registry.services.audit import json_value
from tests.conftest import fresh_database
from tests.factories import (create, make_id_number, make_uscc, person_record, project_record, review_record,
                             unit_record)

# A copy of the contract example (shared/contract/sample.jsonl); a test checks it is the same where shared/ is present.
CONTRACT = Path(__file__).resolve().parent / "data" / "contract_sample.jsonl"
SAMPLE_LINES = CONTRACT.read_text(encoding="utf-8").splitlines()
FULL_ID_NUMBERS = ["370202198403120458", "340102198808080668"]
MODELS = (Unit, Person, Project, Review, Penalty, Complaint, AuditEvent)


def counts(db):
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in MODELS}


def test_contract_sample_imports_every_kind(db):
    report = import_jsonl(SYSTEM, SAMPLE_LINES)
    assert report.created == {"unit": 2, "person": 2, "project": 3, "review": 3, "penalty": 1, "complaint": 1}
    assert db.session.scalar(select(Unit.name).where(Unit.uscc == "9137020035791357M0")) == "青岛海岸带土壤修复有限公司"
    lin = db.session.scalar(select(Person).where(Person.name == "林海燕"))
    assert lin.id_number_masked == "370202********0458"
    assert b"370202198403120458" not in lin.id_number_ciphertext
    penalty = db.session.scalar(select(Penalty))
    assert str(penalty.publicity_ends_on) == "2027-09-01"  # ordinary severity: decision + 1 year


def test_the_same_file_twice_changes_nothing(db):
    import_jsonl(SYSTEM, SAMPLE_LINES)
    before = counts(db)
    report = import_jsonl(SYSTEM, SAMPLE_LINES)
    assert report.created == {} and report.updated == {}
    assert report.unchanged == 12
    assert counts(db) == before


def test_a_changed_line_updates_and_keeps_the_earlier_version(db):
    import_jsonl(SYSTEM, SAMPLE_LINES)
    changed = [json.loads(line) for line in SAMPLE_LINES]
    changed[0]["address"] = "青岛市市南区香港中路100号"
    report = import_jsonl(SYSTEM, [json.dumps(record, ensure_ascii=False) for record in changed])
    assert report.updated == {"unit": 1}
    unit = db.session.scalar(select(Unit).where(Unit.uscc == "9137020035791357M0"))
    assert unit.address == "青岛市市南区香港中路100号" and unit.version == 2
    from registry.models import UnitVersion

    earlier = db.session.scalar(select(UnitVersion).where(UnitVersion.unit_id == unit.id))
    assert earlier.data["address"] == "青岛市市南区香港中路1号"


def with_line(number: int, change) -> list[str]:
    records = [json.loads(line) for line in SAMPLE_LINES]
    change(records[number - 1])
    return [json.dumps(record, ensure_ascii=False) for record in records]


BAD_FILES = {
    "bad credit-code check character": (1, "uscc", lambda r: r.update(uscc="9137020035791357M1")),
    "bad ID check character": (3, "id_number", lambda r: r.update(id_number="370202198403120459")),
    "impossible birth date": (4, "id_number", lambda r: r.update(id_number="340102198802300661")),
    "unknown category": (5, "category", lambda r: r.update(category="dredging")),
    "unknown industry code": (5, "former_industry", lambda r: r.update(former_industry="C9999")),
    "unknown province": (2, "division_code", lambda r: r.update(division_code="990102")),
    "bad authority division": (11, "authority_division_code", lambda r: r.update(authority_division_code="34010")),
    "dangling firm": (5, "unit_uscc", lambda r: r.update(unit_uscc="91110000100000000R")),
    "dangling project": (9, "project_ref", lambda r: r.update(project_ref="S-404")),
    "round 3 without round 2": (9, "round", lambda r: r.update(round=3)),
    "area not positive": (6, "area_m2", lambda r: r.update(area_m2=0)),
    "bad date": (7, "contract_deadline", lambda r: r.update(contract_deadline="2024-02-30")),
    "missing field": (11, "decided_on", lambda r: r.pop("decided_on")),
    "unknown field": (1, "colour", lambda r: r.update(colour="blue")),
    "project in no county": (5, "division_code", lambda r: r.update(division_code="320000")),
    "project in a code that does not exist": (5, "division_code", lambda r: r.update(division_code="329999")),
    "firm name with a right-to-left override": (1, "name", lambda r: r.update(name="青岛\u202e公司")),
    "person name with a zero-width space": (3, "name", lambda r: r.update(name="林\u200b海燕")),
    "registered not a boolean": (1, "registered", lambda r: r.update(registered="no")),
    "confirmation without a time zone": (1, "registration_confirmed_at",
                                         lambda r: r.update(registration_confirmed_at="2025-01-06T09:30:00")),
    "a registered firm without categories": (2, "categories", lambda r: r.update(categories=[])),
    "a registered person without a firm": (3, "unit_uscc", lambda r: r.update(unit_uscc=None)),
    "left before joining": (3, "employed_until",
                            lambda r: r.update(employed_since="2020-01-01", employed_until="2019-12-31")),
    "left in the future": (3, "employed_until",
                           lambda r: r.update(employed_since="2020-01-01", employed_until="2030-01-01")),
    "departure entered before it took effect": (3, "end_entered_on", lambda r: r.update(
        employed_since="2020-01-01", employed_until="2024-01-31", end_entered_on="2024-01-30")),
    "earlier employment ending before it began": (3, "earlier_employments.0.ended_on", lambda r: r.update(
        earlier_employments=[{"unit_uscc": "9134010024681357NB", "started_on": "2018-01-01",
                              "ended_on": "2017-12-31"}])),
    "earlier employment at an unknown firm": (3, "earlier_employments.0.unit_uscc", lambda r: r.update(
        earlier_employments=[{"unit_uscc": "91110000100000000R", "started_on": "2018-01-01",
                              "ended_on": "2018-12-31"}])),
    "earlier employments overlapping": (4, "earlier_employments.1.started_on", lambda r: r.update(
        earlier_employments=[{"unit_uscc": "9137020035791357M0", "started_on": "2015-01-01", "ended_on": "2018-12-31"},
                             {"unit_uscc": "9137020035791357M0", "started_on": "2018-06-01",
                              "ended_on": "2019-12-31"}])),
    "earlier employment after the current one began": (4, "employed_since", lambda r: r.update(
        employed_since="2019-01-01", earlier_employments=[
            {"unit_uscc": "9137020035791357M0", "started_on": "2015-01-01", "ended_on": "2019-12-31"}])),
    "earlier employment with an unknown field": (3, "earlier_employments.0.salary", lambda r: r.update(
        earlier_employments=[{"unit_uscc": "9134010024681357NB", "started_on": "2018-01-01",
                              "ended_on": "2018-12-31", "salary": 1}])),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_line_is_refused_by_number_and_nothing_is_written(db, case):
    line, field, change = BAD_FILES[case]
    before = counts(db)
    with pytest.raises(ExchangeError) as refused:
        import_jsonl(SYSTEM, with_line(line, change))
    assert (refused.value.line, refused.value.field) == (line, field)
    assert refused.value.message_zh and refused.value.message_en
    assert counts(db) == before
    for number in FULL_ID_NUMBERS + ["370202198403120459", "340102198802300661"]:
        assert number not in refused.value.describe()


def test_a_project_may_name_a_person_of_the_same_file_before_or_after_it(db):
    unit = unit_record()
    person = person_record(unit["uscc"])
    project = project_record(unit["uscc"], people=[{"id_number": person["id_number"], "role": "responsible_manager"}])
    report = create(project, person, unit)  # reverse order: kinds are applied in dependency order
    assert report.created == {"unit": 1, "person": 1, "project": 1}


def test_a_person_moving_to_another_firm_keeps_the_employment_history(db):
    first, second = unit_record(), unit_record()
    id_number = make_id_number()
    create(first, second, person_record(first["uscc"], id_number, name="王五"))
    create(person_record(second["uscc"], id_number, name="王五"))
    person = db.session.scalar(select(Person).where(Person.name == "王五"))
    assert len(person.employments) == 2
    assert person.current_employment.unit.uscc == second["uscc"]
    assert person.employments[0].ended_on is not None


def test_a_project_moved_to_another_firm_takes_its_review_outcomes_to_that_firms_profile(db, client):
    """A review names its project's firm (ix_review_firm_newest), and the database keeps it: the firm of a project
    an import moves is its reviews' firm too."""
    first, second = unit_record(), unit_record()
    project = project_record(first["uscc"])
    create(first, second, project, review_record(project["ref"], passed=False, reviewed_on="2024-07-01"),
           review_record(project["ref"], 2, reviewed_on="2024-09-01"))
    assert client.get(f"/api/v1/units/{first['uscc']}").json["reviews_total"] == 2

    create({**project, "unit_uscc": second["uscc"]})
    second_id = db.session.scalar(select(Unit.id).where(Unit.uscc == second["uscc"]))
    assert set(db.session.scalars(select(Review.unit_id))) == {second_id}
    moved = client.get(f"/api/v1/units/{second['uscc']}").json
    assert (moved["reviews_total"], [r["reviewed_on"] for r in moved["reviews"]]) == (2, ["2024-09-01", "2024-07-01"])
    assert client.get(f"/api/v1/units/{first['uscc']}").json["reviews_total"] == 0


def test_cli_import_reports_the_bad_line_in_both_languages_without_a_traceback(runner, tmp_path, db):
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(with_line(3, lambda r: r.update(id_number="370202198403120459"))), encoding="utf-8")
    result = runner.invoke(args=["registry", "import", str(path)])
    assert result.exit_code == 1
    assert "第 3 行，字段 id_number" in result.output and "line 3, field id_number" in result.output
    assert "Traceback" not in result.output
    assert counts(db)["Unit"] == 0


def test_cli_import_then_public_export_holds_no_private_detail(runner, tmp_path):
    result = runner.invoke(args=["registry", "import", str(CONTRACT)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "public.jsonl"
    assert runner.invoke(args=["registry", "export", "--public", str(out)]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    for secret in FULL_ID_NUMBERS + ["0532-80000001", "13600000000", "市民甲", "经核查，举报内容不属实",
                                     "合肥市瑶海区长江东路2号", "高远"]:
        assert secret not in text
    assert "370202********0458" in text
    kinds = [json.loads(line)["kind"] for line in text.splitlines()]
    assert kinds.count("unit") == 2 and kinds.count("person") == 1 and kinds.count("project") == 2


@pytest.fixture
def empty_registry(database_template, app_config, tmp_path):
    """A second registry on its own freshly migrated, empty database (a file on SQLite, a database on PostgreSQL),
    with the same keys: where a backup is restored."""
    workdir = tmp_path / "second"
    workdir.mkdir()
    with fresh_database(database_template, workdir, prefix="registry_second") as url:
        second = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url, "SEARCH_INDEX_DIR": str(workdir / "ix")})
        yield second
        with second.app_context():
            registry_db.engine.dispose()


def round_trip(runner, empty_registry, tmp_path) -> tuple[str, str]:
    """Export this registry in full, import that file into the empty one, export that in full: both texts."""
    backup, again = tmp_path / "full.jsonl", tmp_path / "again.jsonl"
    assert runner.invoke(args=["registry", "export", str(backup)]).exit_code == 0
    second = empty_registry.test_cli_runner()
    with empty_registry.app_context():
        assert counts(registry_db)["Unit"] == 0  # truly empty
        result = second.invoke(args=["registry", "import", str(backup)])
        assert result.exit_code == 0, result.output
        assert second.invoke(args=["registry", "export", str(again)]).exit_code == 0
    return backup.read_text(encoding="utf-8"), again.read_text(encoding="utf-8")


def test_full_export_round_trips_into_an_empty_registry(runner, tmp_path, app, empty_registry):
    """A backup restores into a fresh database and exports again byte for byte (SQLite and PostgreSQL)."""
    runner.invoke(args=["registry", "import", str(CONTRACT)])
    first, second = round_trip(runner, empty_registry, tmp_path)
    assert "370202198403120458" in first  # a backup keeps the full numbers
    assert oct((tmp_path / "full.jsonl").stat().st_mode & 0o777) == "0o600"
    assert first == second
    report = import_jsonl(SYSTEM, first.splitlines())  # and the file changes nothing where it came from
    assert report.created == {} and report.updated == {}


def test_a_registry_with_every_kind_and_field_round_trips_byte_for_byte(runner, tmp_path, db, empty_registry):
    """The demo (firms, staff, projects, review rounds, penalties with bans and repairs, complaints in every
    status, commitments signed through the services), and one record of each kind with every optional field:
    nothing the import accepts is lost on the way out and back in."""
    from registry.services.demo import load_demo
    from tests.factories import DOUBLE_PUBLICITY, complaint_record, penalty_record, review_record

    load_demo(firms=12)
    unit = unit_record(division_code="370211", ceased_on="2026-11-20", established_on="2010-05-04",
                       non_disclosed={"reason": "涉及国家秘密"})
    person = person_record(unit["uscc"], employed_since="2019-03-01", non_disclosed={"reason": "正在核查"})
    project = project_record(unit["uscc"], "RT-1", owner_uscc=make_uscc("370200", 77), former_industry="C2614",
                             non_disclosed={"reason": "涉密工程"},
                             people=[{"id_number": person["id_number"], "role": "responsible_manager"}])
    create(unit, person, project,
           review_record("RT-1", 1, passed=False, non_disclosed={"reason": "复核中"}),
           review_record("RT-1", 2, reviewed_on="2024-08-01"),
           penalty_record({"uscc": unit["uscc"]}, "青环罚〔2026〕990号", **DOUBLE_PUBLICITY, party_name="决定书所载名称",
                          legal_representative="李四", kinds=["fine", "practice_ban", "licence_suspension",
                                                               "confiscation_of_illegal_gains"],
                          confiscated_yuan="12345.67", licence_action="暂扣许可证六个月",
                          ban={"until": "2030-01-01", "categories": ["remediation_construction"]},
                          non_disclosed={"reason": "依法不予公开"}),
           penalty_record({"id_number": person["id_number"]}, "青环罚〔2026〕991号", severity="serious",
                          ban={"lifetime": True}, decided_on="2026-10-01", repaired_on=None),
           complaint_record("RT-1", "RT-C1", status="substantiated", description="项目实际由他人完成",
                            complainant={"name": "举报人乙", "contact": "yi@example.invalid"},
                            non_disclosed={"reason": "保护举报人"}))
    first, second = round_trip(runner, empty_registry, tmp_path)
    assert first == second
    lines = {(record["kind"], record.get("uscc") or record.get("ref") or record.get("decision_number")
              or record.get("id_number")): record for record in map(json.loads, first.splitlines())}
    assert lines[("complaint", "RT-C1")]["description"] == "项目实际由他人完成"
    assert lines[("person", person["id_number"])]["employed_since"] == "2019-03-01"
    decided = lines[("penalty", "青环罚〔2026〕990号")]
    assert (decided["party_name"], decided["legal_representative"]) == ("决定书所载名称", "李四")
    kinds = {kind for kind, _key in lines}
    assert kinds == {"unit", "person", "project", "review", "penalty", "complaint"}


def test_every_imported_record_has_its_own_audit_event_without_the_full_number(db):
    import_jsonl(SYSTEM, SAMPLE_LINES)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("%_imported"))).all()
    assert sorted({(e.record_type, e.action) for e in events}) == sorted(
        {(kind, f"{kind}_imported") for kind in ("unit", "person", "project", "review", "penalty", "complaint")})
    assert len(events) == 12
    lin = db.session.scalar(select(Person).where(Person.name == "林海燕"))
    person_event = next(e for e in events if e.record_type == "person" and e.record_id == lin.id)
    assert person_event.after["id_number_masked"] == "370202********0458"
    assert not {"id_number_ciphertext", "id_number_hmac"} & set(person_event.after)
    project_event = next(e for e in events if e.record_type == "project")
    project = db.session.get(Project, project_event.record_id)
    # the values as JSON holds them: dates in ISO 8601, the area a decimal string (the engine's json_text)
    assert project_event.after["completed_on"] == project.completed_on.isoformat()
    assert project_event.after["area_m2"] == str(project.area_m2)
    dump = json.dumps([e.after for e in events], ensure_ascii=False)
    for number in FULL_ID_NUMBERS:
        assert number not in dump


def test_the_copied_contract_example_matches_the_design_of_record():
    shared = Path(__file__).resolve().parents[2] / "shared" / "contract" / "sample.jsonl"
    if not shared.exists():
        pytest.skip("shared/ is not beside this checkout")
    assert CONTRACT.read_text(encoding="utf-8") == shared.read_text(encoding="utf-8")


def test_an_import_adds_a_cessation_by_the_pages_rule_and_never_erases_or_moves_it(db, client):
    """`ceased_on` is an optional unit field; the form's rule and message; declared once."""
    ceased = with_line(1, lambda r: r.update(ceased_on="2026-11-20"))
    with pytest.raises(ExchangeError) as future:
        import_jsonl(SYSTEM, with_line(1, lambda r: r.update(ceased_on="2026-11-27")))
    assert (future.value.line, future.value.field, future.value.message_zh) == (1, "ceased_on", "注销日期不能晚于今天")
    import_jsonl(SYSTEM, ceased)
    unit = db.session.scalar(select(Unit).where(Unit.uscc == "9137020035791357M0"))
    assert unit.ceased_on.isoformat() == "2026-11-20"

    assert import_jsonl(SYSTEM, SAMPLE_LINES).updated == {}  # a line without it keeps it
    with pytest.raises(ExchangeError) as moved:
        import_jsonl(SYSTEM, with_line(1, lambda r: r.update(ceased_on="2026-11-19")))
    assert (moved.value.line, moved.value.field) == (1, "ceased_on") and "2026-11-20" in moved.value.message_zh
    db.session.expire_all()
    assert unit.ceased_on.isoformat() == "2026-11-20"

    exported = [json.loads(line) for line in export_jsonl()]
    assert next(r for r in exported if r.get("uscc") == unit.uscc)["ceased_on"] == "2026-11-20"
    assert client.get(f"/api/v1/units/{unit.uscc}").get_json()["ceased_on"] == "2026-11-20"
    public = [json.loads(line) for line in export_jsonl(public=True)]
    assert next(r for r in public if r.get("uscc") == unit.uscc)["ceased_on"] == "2026-11-20"
    csv = client.get("/open-data/unit.csv").get_data(as_text=True).splitlines()
    header, row = csv[0].lstrip("\ufeff").split(","), next(line for line in csv if unit.uscc in line).split(",")
    assert row[header.index("ceased_on")] == "2026-11-20"


def test_field_by_field_loading_gives_what_the_schema_gives():
    """The parser's field-by-field path (registry/exchange/parse.py) is only a faster way to the schema's own
    `load()`: the same result on every line of the contract example and of a demo data set, every kind."""
    from registry.exchange.parse import load
    from registry.schemas.exchange import SCHEMAS
    from registry.services.demo import generate_records

    records = [json.loads(line) for line in SAMPLE_LINES]
    records += json.loads(json.dumps(list(generate_records(30, seed=7)), default=json_value, ensure_ascii=False))
    assert {record["kind"] for record in records} == set(SCHEMAS)
    for record in records:
        assert load(record["kind"], record) == SCHEMAS[record["kind"]].load(record)


def test_the_open_data_shows_no_basic_information_of_a_non_disclosed_firm_or_person(db, client):
    """The public export and its CSV files hide what the public pages hide (`visibility.person_basic_is_public`,
    `unit_basic_is_public`): a withheld firm's or person's basic information is in no line, even with their
    commitment signed and a public record about them that lists them."""
    from tests.factories import penalty_record

    firm = unit_record(name="不予公开修复有限公司", legal_representative="隐名甲", address="隐秘路1号",
                       non_disclosed={"reason": "涉及国家秘密"})
    employer = unit_record(name="公开修复有限公司")
    person = person_record(employer["uscc"], name="隐名乙", title="隐秘总工程师",
                           non_disclosed={"reason": "正在核查"})
    staff = person_record(firm["uscc"], name="隐名丙", title="隐秘技术负责人")
    create(firm, employer, person, staff, project_record(firm["uscc"], "ND-1"),
           penalty_record({"uscc": firm["uscc"]}, "青环罚〔2026〕801号", legal_representative="决定书所载代表人"),
           penalty_record({"id_number": person["id_number"]}, "青环罚〔2026〕802号"))
    hidden = ["隐名甲", "隐秘路1号", "隐名乙", "隐秘总工程师", person["id_number"],
              person["id_number"][:6] + "********" + person["id_number"][-4:]]
    lines = list(export_jsonl(public=True))
    for line in lines:
        for secret in hidden:
            assert secret not in line, (secret, line)
    records = [json.loads(line) for line in lines]
    listed_firm = next(r for r in records if r.get("uscc") == firm["uscc"] and r["kind"] == "unit")
    assert "categories" not in listed_firm and "legal_representative" not in listed_firm
    # a decision about a withheld person is on no page (no profile lists them), so in no line either
    assert "青环罚〔2026〕802号" not in "".join(lines) and "青环罚〔2026〕801号" in "".join(lines)
    staff_line = next(r for r in records if r["kind"] == "person" and r["name"] == "隐名丙")
    assert staff_line["title"] == "隐秘技术负责人"  # their own record is public; their firm is listed by its penalty
    for kind in ("unit", "person", "project", "penalty"):
        text = client.get(f"/open-data/{kind}.csv").get_data(as_text=True)
        for secret in hidden:
            assert secret not in text, (kind, secret)


def registration_and_history() -> dict:
    """What a backup must carry besides the bytes: each firm's registration and its confirmation, and each
    person's registration and employments (firm, title, start, end, the day the departure was entered)."""
    from registry.models import Employment

    firms = {uscc: (registered, confirmed.isoformat() if confirmed else None) for uscc, registered, confirmed
             in registry_db.session.execute(select(Unit.uscc, Unit.registered, Unit.registration_confirmed_at))}
    people = {}
    for person in registry_db.session.scalars(select(Person)):
        jobs = registry_db.session.execute(
            select(Unit.uscc, Employment.title, Employment.started_on, Employment.ended_on, Employment.end_entered_on)
            .join(Unit, Unit.id == Employment.unit_id).where(Employment.person_id == person.id)
            .order_by(Employment.started_on)).all()
        people[person.id_number_masked] = (person.name, person.registered, [tuple(job) for job in jobs])
    return {"firms": firms, "people": people}


def test_a_backup_keeps_confirmation_registration_and_employment_history(runner, tmp_path, db, empty_registry):
    """A self-registration not yet confirmed stays unconfirmed, a firm and a person a penalty created stay
    unregistered, and a person's earlier employments and the day they left come back as they were."""
    from datetime import date

    from registry.models import Employment
    from registry.services.people import add_person
    from tests.factories import penalty_record

    unconfirmed, first_firm, second_firm = unit_record(), unit_record(), unit_record()
    mover = person_record(first_firm["uscc"], name="调动者", employed_since="2019-03-01")
    create(unconfirmed, first_firm, second_firm, mover)
    session = registry_db.session
    session.execute(Unit.__table__.update().where(Unit.uscc == unconfirmed["uscc"]).values(
        registration_confirmed_at=None))
    stranger = Unit(uscc=make_uscc("370211", 4243), name="黄岛无证修复有限公司", legal_representative="钱七",
                    division_code="370211", registered=False)
    session.add(stranger)
    unregistered = add_person(make_id_number("370202", "19850921", 78), "赵六")
    unregistered.registered = False
    moved = session.scalar(select(Person).where(Person.name == "调动者"))
    moved.employments[0].ended_on, moved.employments[0].end_entered_on = date(2022, 5, 31), date(2022, 6, 10)
    moved.title = "技术负责人"  # as joining a firm sets it (services.people); then the person left that firm too
    second_id = session.scalar(select(Unit.id).where(Unit.uscc == second_firm["uscc"]))
    session.add(Employment(person=moved, unit_id=second_id, title="技术负责人", started_on=date(2022, 7, 1),
                           ended_on=date(2025, 12, 31)))
    session.commit()
    create(penalty_record({"uscc": stranger.uscc}, "青环罚〔2026〕901号"),
           penalty_record({"id_number": make_id_number("370202", "19850921", 78)}, "青环罚〔2026〕902号"))
    before = registration_and_history()
    assert before["firms"][unconfirmed["uscc"]] == (True, None) and before["firms"][stranger.uscc] == (False, None)
    assert len(before["people"][moved.id_number_masked][2]) == 2
    assert before["people"][unregistered.id_number_masked] == ("赵六", False, [])

    first, second = round_trip(runner, empty_registry, tmp_path)
    assert first == second
    with empty_registry.app_context():
        after = registration_and_history()
    assert after == before
    public = "".join(export_jsonl(public=True))
    assert "earlier_employments" not in public and "employed_until" not in public and "registered\"" not in public


def test_the_bulk_path_stores_what_a_core_insert_stores(db, monkeypatch):
    """insert_rows (COPY on PostgreSQL, driver-level INSERTs of many rows each on SQLite, here 7, the last one
    short) stores each value as SQLAlchemy's own insert does: JSON (None as JSON null), dates, decimals, booleans,
    bytes, and the Python-side defaults."""
    from sqlalchemy import insert

    from registry.exchange.bulk import BULK_ROWS, insert_rows

    monkeypatch.setattr("registry.exchange.bulk.ROWS_PER_STATEMENT", 7)

    import_jsonl(SYSTEM, SAMPLE_LINES)
    table = Penalty.__table__
    stored = db.session.execute(select(table)).mappings().one()
    given = {key: value for key, value in stored.items() if key not in ("id", "created_at")}
    rows = {"bulk": [], "core": []}
    for way in rows:
        for number in range(BULK_ROWS):
            rows[way].append({**given, "decision_number": f"{way}-{number}", "ban_categories": None,
                              "fine_yuan": given["fine_yuan"] if number else None,
                              "kinds": [*given["kinds"], "警告"] if number == 2 else given["kinds"]})
    insert_rows(db.session, Penalty, rows["bulk"])
    db.session.execute(insert(table), rows["core"])
    person = db.session.execute(select(Person.__table__)).mappings().first()
    people = {way: [{"public_id": f"{way}{number}", "id_number_hmac": f"{way}-{number}",
                     "id_number_ciphertext": person["id_number_ciphertext"], "id_number_masked": "370202********0458",
                     "name": "林海燕", "title": None, "non_disclosure_reason": None} for number in range(BULK_ROWS)]
              for way in ("bulk", "core")}
    insert_rows(db.session, Person, people["bulk"])
    db.session.execute(insert(Person.__table__), people["core"])
    events = {way: [{"actor": "system", "action": "unit_imported", "record_type": "unit", "record_id": number,
                     "detail": f"{way}-{number}",
                     "after": {"name": "青岛", "ceased_on": date(2025, 6, 1) if number == 3 else None,
                               "area_m2": Decimal("12.50")} if number else None}
                    for number in range(BULK_ROWS)] for way in ("bulk", "core")}
    insert_rows(db.session, AuditEvent, events["bulk"])
    db.session.execute(insert(AuditEvent.__table__), events["core"])

    def stored_as(model, where, way):
        columns = [column for column in model.__table__.columns if column.key != "id"]
        found = db.session.execute(select(*columns).where(where.like(f"{way}%")).order_by(where)).mappings().all()
        for row in found:  # the defaults are called at each insert: the same kind of value, not the same instant
            for column in columns:
                if column.key in ("created_at", "updated_at", "at"):
                    assert row[column.key].tzinfo is not None
        return [{key: value for key, value in row.items() if key not in ("created_at", "updated_at", "at")}
                for row in found]

    for model, key in ((Penalty, Penalty.decision_number), (Person, Person.id_number_hmac),
                       (AuditEvent, AuditEvent.detail)):
        bulk, core = stored_as(model, key, "bulk"), stored_as(model, key, "core")
        assert len(bulk) == len(core) > 1
        for by_bulk, by_core in zip(bulk, core):
            assert {k: v for k, v in by_bulk.items() if k not in (key.key, "public_id")} == \
                   {k: v for k, v in by_core.items() if k not in (key.key, "public_id")}
    # the time of writing is the statement's, one moment for all its rows; dates and decimals in JSON as text
    assert len(set(db.session.scalars(select(Person.created_at).where(Person.id_number_hmac.like("bulk%"))))) == 1
    assert db.session.scalar(select(AuditEvent.after).where(AuditEvent.detail == "bulk-3")) == {
        "name": "青岛", "ceased_on": "2025-06-01", "area_m2": "12.50"}
    # None in a JSON column is JSON null, not SQL NULL, both ways
    assert db.session.scalar(select(func.count()).select_from(Penalty).where(
        Penalty.decision_number.like("bulk%"), Penalty.ban_categories.is_(None))) == 0


def test_rows_written_by_the_bulk_path_alone_move_the_data_generation(db):
    """COPY and the driver-level INSERTs run no statement SQLAlchemy sees as an INSERT: the bulk path marks
    its transaction as a write itself, so public pages cached under the old generation are revalidated."""
    from registry.exchange.bulk import BULK_ROWS, insert_rows
    from registry.generation import current
    from registry.models import SearchOutbox

    before = current().number
    db.session.commit()
    insert_rows(db.session, SearchOutbox, [{"record_type": "unit", "record_id": n} for n in range(BULK_ROWS)])
    db.session.commit()
    assert current().number == before + 1


def test_bulk_rows_are_there_for_the_next_statement_and_keep_their_order(db):
    """On PostgreSQL insert_rows returns before its rows are written (a writer thread, registry/exchange/bulk.py):
    the session's next statement waits for them, and rows handed over one after the other are written in that
    order (a role's project first). Ids given beforehand are the ones the rows keep."""
    from registry.exchange.bulk import BULK_ROWS, allocate_ids, insert_rows

    import_jsonl(SYSTEM, SAMPLE_LINES)
    unit_id = db.session.scalar(select(Unit.id))
    person_id = db.session.scalar(select(Person.id))
    ids = allocate_ids(db.session, Project, BULK_ROWS)
    assert len(set(ids)) == BULK_ROWS and min(ids) > db.session.scalar(select(func.max(Project.id)))
    insert_rows(db.session, Project, [
        {"id": project_id, "ref": f"W-{number}", "unit_id": unit_id, "category": "investigation", "name": "地块调查",
         "area_m2": Decimal("1200.00"), "division_code": "370202", "version": 1}
        for number, project_id in enumerate(ids)])
    insert_rows(db.session, ProjectRole, [  # refused if written before their projects
        {"project_id": project_id, "person_id": person_id, "role": "responsible_manager"} for project_id in ids])
    assert db.session.scalar(select(func.count()).select_from(ProjectRole).where(ProjectRole.project_id.in_(ids))) \
        == BULK_ROWS
    assert db.session.scalar(select(Project.id).where(Project.ref == "W-7")) == ids[7]
    db.session.rollback()  # rows written around the import's count of figures: not kept


def test_a_refused_bulk_row_fails_by_the_next_statement_and_the_rollback_leaves_nothing(db):
    """A refused row (here a keyed hash of an ID number given twice) is raised by the session's next statement at
    the latest (PostgreSQL: the writer thread's refusal, there; SQLite writes at once), and the rollback leaves
    none of the rows handed over."""
    import sqlite3

    from sqlalchemy.exc import IntegrityError

    from registry.exchange.bulk import BULK_ROWS, insert_rows
    from registry.models import SearchOutbox

    import_jsonl(SYSTEM, SAMPLE_LINES)
    db.session.commit()
    person = db.session.execute(select(Person.__table__)).mappings().first()
    outbox = db.session.scalar(select(func.count()).select_from(SearchOutbox))
    people = [{"public_id": f"dup{number}", "id_number_hmac": f"dup-{min(number, BULK_ROWS - 2)}",
               "id_number_ciphertext": person["id_number_ciphertext"], "id_number_masked": "370202********0458",
               "name": "林海燕", "title": None, "non_disclosure_reason": None} for number in range(BULK_ROWS)]
    insert_rows(db.session, SearchOutbox, [{"record_type": "unit", "record_id": n} for n in range(BULK_ROWS)])
    with pytest.raises((IntegrityError, sqlite3.IntegrityError)):
        insert_rows(db.session, Person, people)
        db.session.scalar(select(func.count()).select_from(Person))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Person).where(Person.public_id.like("dup%"))) == 0
    assert db.session.scalar(select(func.count()).select_from(SearchOutbox)) == outbox


def test_projects_written_in_parts_keep_a_twice_given_ref_once_with_its_last_line(db, monkeypatch):
    """The importer hands project lines to the database in parts (PROJECT_LINES, here 2): a ref given in two
    parts is created once, with its last line's values, and each project's roles and reviews are its own."""
    monkeypatch.setattr("registry.exchange.importer.PROJECT_LINES", 2)
    unit = unit_record()
    person = person_record(unit["uscc"])
    people = [{"id_number": person["id_number"], "role": "responsible_manager"}]
    projects = [project_record(unit["uscc"], f"PART-{n}", people=people, division_code="370203") for n in range(5)]
    projects.append({**projects[0], "name": "第二次给出的名称"})
    review = review_record("PART-3")
    del review["authority_division_code"]  # the project's own, as it arrives in the same file
    report = import_records(SYSTEM, [unit, person, *projects, review])
    assert report.created["project"] == 5 and report.created["review"] == 1
    assert db.session.scalar(select(Project.name).where(Project.ref == "PART-0")) == "第二次给出的名称"
    ids = dict(db.session.execute(select(Project.ref, Project.id)).all())
    assert db.session.scalar(select(func.count()).select_from(ProjectRole)
                             .where(ProjectRole.project_id.in_(ids.values()))) == 5
    assert db.session.execute(select(Review.project_id, Review.authority_division_code)).one() == (ids["PART-3"],
                                                                                                   "370203")


def test_project_lines_are_handed_over_in_parts_of_one_size(db, monkeypatch):
    """Parts of one size (5 lines with PROJECT_LINES 4: 3 and 2, not 4 and 1): a last part of a few rows would be
    written by Core's insert, which waits for every part handed over before it."""
    from registry.exchange.importer import _Importer

    monkeypatch.setattr("registry.exchange.importer.PROJECT_LINES", 4)
    sizes = []
    apply_part = _Importer._apply_projects
    monkeypatch.setattr(_Importer, "_apply_projects",
                        lambda self, lines, *args: sizes.append(len(lines)) or apply_part(self, lines, *args))
    unit = unit_record()
    report = import_records(SYSTEM, [unit, *(project_record(unit["uscc"], f"SIZE-{n}") for n in range(5))])
    assert report.created["project"] == 5
    assert sizes == [3, 2]


def test_an_import_that_doubles_a_table_takes_its_statistics_before_the_figures_are_counted(db, monkeypatch):
    """On PostgreSQL the bulk path ANALYZEs, inside the import's transaction, each table its rows at least doubled
    (registry/exchange/bulk.py, `analyze_grown`), so that the firms' figures counted before the commit are planned
    for the table as it now is; a table grown by less keeps its statistics for autovacuum to renew."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("ANALYZE in the import's transaction is PostgreSQL's (SQLite's planner needs no statistics)")
    from sqlalchemy import event

    from registry.exchange import bulk
    monkeypatch.setattr(bulk, "ANALYZE_ROWS", 50)
    analyzed = []

    def watch(connection, cursor, statement, parameters, context, executemany):
        if statement.startswith("ANALYZE"):
            analyzed.append(statement.split()[1].strip('"'))

    def project_rows():
        return db.session.scalar(sa_text("SELECT reltuples FROM pg_class WHERE oid = 'project'::regclass"))

    firm = unit_record()
    create(firm)
    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        create(*(project_record(firm["uscc"]) for _ in range(120)))
        assert "project" in analyzed and project_rows() == 120  # never analyzed: now, with the import's rows
        analyzed.clear()
        create(*(project_record(firm["uscc"]) for _ in range(120)))
        assert "project" in analyzed and project_rows() == 240  # doubled
        analyzed.clear()
        create(*(project_record(firm["uscc"]) for _ in range(110)))
        assert "project" not in analyzed and project_rows() == 240  # grown by less than it held
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)
