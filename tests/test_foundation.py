"""The foundation: migrations are the schema, SQLite is set up for durability, IDs are encrypted, the audit
log is append-only, secrets are private, logs never hold a full ID number, a failed service writes nothing."""
import logging
import stat
import threading
import warnings
from datetime import date

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from registry.access import SYSTEM
from registry.app import create_app
from registry.database import modelled
from registry.extensions import db as _db
from registry import figures
from registry.models import (AuditEvent, Complaint, Person, Project, Review, Unit, UnitFigures, UnitReviewYear,
                             UnitRoleHolder)
from registry.rules.errors import RuleViolation
from registry.services import service
from registry.services.audit import record_event
from tests.conftest import firm_provinces_kept
from tests.factories import (complaint_record, create, make_id_number, make_uscc, person_record, project_record,
                             review_record, unit_record)


# Indexes on an expression, which autogenerate does not compare (SQLite's reflection skips them, with a warning):
# test_expression_indexes_exist checks them instead.
EXPRESSION_INDEXES = {"ix_project_recent": ("project", "coalesce(completed_on, started_on)"),
                      "ix_project_newest": ("project", "coalesce(completed_on, '0001-01-01'"),  # PostgreSQL adds a cast
                      "ix_project_firm_ongoing_first": ("project", "coalesce(completed_on, '9999-12-31'")}


def test_models_and_migrations_agree(db):
    with db.engine.connect() as connection, warnings.catch_warnings():
        for name in EXPRESSION_INDEXES:
            warnings.filterwarnings("ignore", f".*expression-based index '?{name}")
        differences = compare_metadata(MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": modelled}), db.metadata)
    assert [d for d in differences if not _expression_index(d)] == []


def _expression_index(difference) -> bool:
    """An index autogenerate sees only on one side: the model's expression index (PostgreSQL reflects it)."""
    return difference[0] in ("add_index", "remove_index") and difference[1].name in EXPRESSION_INDEXES


def test_expression_indexes_exist(db):
    """The migrations create each index on an expression that the models declare, with its expression."""
    with db.engine.connect() as connection:
        for name, (table, expression) in EXPRESSION_INDEXES.items():
            if db.engine.dialect.name == "sqlite":
                definition = connection.scalar(sa.text("SELECT sql FROM sqlite_master WHERE type = 'index' "
                                                       "AND name = :name AND tbl_name = :table"),
                                               {"name": name, "table": table})
            else:
                definition = connection.scalar(sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = :name "
                                                       "AND tablename = :table"), {"name": name, "table": table})
            assert definition is not None, name
            assert expression in definition.lower(), definition
            assert name in {index.name for index in db.metadata.tables[table].indexes}


def test_constraint_names_follow_the_convention(db):
    inspector = sa.inspect(db.engine)
    uniques = {u["name"] for u in inspector.get_unique_constraints("unit")}
    assert "uq_unit_uscc" in uniques
    checks = {c["name"] for c in inspector.get_check_constraints("project")}
    assert "ck_project_area_positive" in checks


def test_migration_on_a_database_with_data_keeps_it(app, db):
    create(unit_record(name="迁移测试单位"))
    downgrade(revision="0001")
    upgrade()
    assert db.session.scalar(select(Unit.name)) == "迁移测试单位"


def test_the_figures_migration_counts_what_the_registry_counts(app, db):
    """Migrations 0030, 0032 and 0034 fill `unit_figures`, `unit_review_year` and `unit_role_holder` with SQL of
    their own (a migration never imports the app): on records each clause of the figures tells apart, they keep
    what `registry.figures.counted` counts. Migration 0033 gives each review its project's firm on the way."""
    a, b, c = (make_uscc("370200", 900 + n) for n in range(3))
    holder, unsigned_firms = make_id_number(), make_id_number()
    # the holder's roles: two on F-A1, one on F-A4 (both public), F-A2 (under the firm's withhold) and F-A3
    # (withheld); the other's on F-B1, a project of a firm not signed
    roles = {"F-A1": [(holder, "responsible_manager"), (holder, "other_responsible")],
             "F-A2": [(holder, "responsible_manager")], "F-A3": [(holder, "responsible_manager")],
             "F-A4": [(holder, "other_responsible")], "F-B1": [(unsigned_firms, "responsible_manager")]}
    create(unit_record(a), unit_record(b, signed=False), unit_record(c),
           person_record(a, holder), person_record(b, unsigned_firms),
           *(project_record(uscc, ref, division_code=division,
                            completed_on="2024-07-15" if ref == "F-A4" else "2024-06-01",  # F-A4 late
                            people=[{"id_number": n, "role": role} for n, role in roles.get(ref, [])])
             for uscc, ref, division in
             [(a, "F-A1", "370211"), (a, "F-A2", "320506"), (a, "F-A3", "370212"), (a, "F-A4", "370213"),
              (b, "F-B1", "370211"),
              (c, "F-C1", "370211"), (c, "F-C2", "370211")]),
           review_record("F-A1", 1, False), review_record("F-A1", 2, True),
           review_record("F-A4", 1, False, authority_division_code="320500"),
           review_record("F-A2", 1, False), review_record("F-A3", 1, True), review_record("F-B1", 1, True),
           review_record("F-C1", 1, False), review_record("F-C2", 1, True),
           complaint_record("F-A1", status="substantiated"), complaint_record("F-A2", status="substantiated"),
           complaint_record("F-C1", status="received"), complaint_record("F-C2", status="substantiated"))
    # withholds and a suspension written around the services, so the kept figures are stale until the migration
    db.session.execute(sa.update(Unit).where(Unit.uscc == a).values(non_disclosure_reason="依法不予公开",
                                                                     non_disclosure_scope="32"))
    db.session.execute(sa.update(Unit).where(Unit.uscc == c).values(registration_suspended_at=func.now()))
    db.session.execute(sa.update(Project).where(Project.ref == "F-A3").values(non_disclosure_reason="涉密"))
    db.session.execute(sa.update(Complaint).where(Complaint.project_id == select(Project.id).where(
        Project.ref == "F-C2").scalar_subquery()).values(non_disclosure_reason="涉密"))
    db.session.commit()
    assert figures.mismatches() != {}
    db.session.rollback()  # the migration's connection waits for no reader
    downgrade(revision="0029")
    upgrade()
    db.session.rollback()  # a snapshot of after the migration
    differing = figures.mismatches()
    assert differing == {}, differing
    kept = {uscc: tuple(figures_of) for uscc, *figures_of in db.session.execute(
        select(Unit.uscc, *(getattr(UnitFigures, column) for column in figures.COUNTS))
        .join(UnitFigures, UnitFigures.unit_id == Unit.id))}
    # a: F-A1's first round only, failed (F-A4's review, recorded by an authority of Jiangsu, and F-A2 in Jiangsu,
    # are under the firm's withhold; F-A3 is withheld); of its public projects F-A1 and F-A4, F-A1 was found false,
    # so the on-time rate counts F-A4 alone, late; b: not signed, so no public project, but its review counts;
    # c: suspended, so no public project, but its reviews count, and its one finding is withheld
    assert kept == {a: (0, 1, 0, 1, 2, 2, date(2026, 10, 20)), b: (1, 1, 0, 0, 0, 0, None),
                    c: (1, 2, 0, 0, 0, 0, None)}
    # migration 0032: the days each rate counts (only a's F-A4 counts on time, completed 2024-07-15), and each
    # firm's public outcomes by year (a: F-A1's two rounds; c: both, the withheld finding does not hide a review)
    periods = {uscc: tuple(days) for uscc, *days in db.session.execute(
        select(Unit.uscc, UnitFigures.first_pass_from, UnitFigures.first_pass_to, UnitFigures.on_time_from,
               UnitFigures.on_time_to).join(UnitFigures, UnitFigures.unit_id == Unit.id))}
    first_round = (date(2024, 7, 1), date(2024, 7, 1))
    assert periods == {a: (*first_round, date(2024, 7, 15), date(2024, 7, 15)), b: (*first_round, None, None),
                       c: (*first_round, None, None)}
    years = {uscc: (year, passed, total) for uscc, year, passed, total in db.session.execute(
        select(Unit.uscc, UnitReviewYear.year, UnitReviewYear.passed, UnitReviewYear.total)
        .join(UnitReviewYear, UnitReviewYear.unit_id == Unit.id))}
    assert years == {a: (2024, 1, 2), b: (2024, 1, 1), c: (2024, 1, 2)}
    # migration 0034: the holder held a role on two public projects of a (F-A1 twice), the other on none
    holders = db.session.execute(select(Unit.uscc, Person.name, UnitRoleHolder.projects)
                                 .join(UnitRoleHolder, UnitRoleHolder.unit_id == Unit.id)
                                 .join(Person, Person.id == UnitRoleHolder.person_id)).all()
    assert [(uscc, projects) for uscc, _name, projects in holders] == [(a, 2)]
    # migration 0033: every review names its project's firm
    assert db.session.scalar(select(func.count()).select_from(Review).join(Project, Project.id == Review.project_id)
                             .where(Review.unit_id != Project.unit_id)) == 0


def test_each_project_holds_its_firms_province_on_every_path(app, db):
    """`project.firm_province` (migration 0036) is its firm's province (`province_of`) however the records were
    written: filled by the migration, given by the import to its new projects, taken from the firm by the database
    for a project written without it, for a project moved to another firm, and for the projects of a firm moved to
    another province."""
    shandong, jiangsu = make_uscc("370200", 951), make_uscc("320500", 952)
    create(unit_record(shandong, division_code="370202"), unit_record(jiangsu, division_code="320506"),
           project_record(shandong, "FP-1"), project_record(shandong, "FP-2"), project_record(jiangsu, "FP-3"))

    def provinces() -> dict:
        return dict(db.session.execute(select(Project.ref, Project.firm_province)).all())

    assert provinces() == {"FP-1": "37", "FP-2": "37", "FP-3": "32"}
    # written without it, as a service writes a project
    firm = db.session.scalar(select(Unit).where(Unit.uscc == jiangsu))
    db.session.add(Project(ref="FP-4", unit_id=firm.id, category="remediation_construction", name="直接写入的项目",
                           division_code="320506", area_m2=1000))
    db.session.commit()
    assert provinces()["FP-4"] == "32"
    # a project moved to another firm, and a firm moved to another province, by the import
    create(project_record(jiangsu, "FP-2"), unit_record(shandong, division_code="110105"))
    assert provinces() == {"FP-1": "11", "FP-2": "32", "FP-3": "32", "FP-4": "32"}
    firm_provinces_kept()
    # the migration fills it from the records
    db.session.rollback()
    downgrade(revision="0035")
    upgrade()
    assert provinces() == {"FP-1": "11", "FP-2": "32", "FP-3": "32", "FP-4": "32"}
    firm_provinces_kept()


@pytest.mark.sqlite_only(reason="SQLite's pragmas")
def test_sqlite_connections_are_durable(db):
    with db.engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("busy_timeout") == 5000
        assert pragma("foreign_keys") == 1


def test_postgresql_connections_run_a_pages_statements_without_jit_or_parallel_workers(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's settings")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW jit").scalar() == "off"
        assert connection.exec_driver_sql("SHOW max_parallel_workers_per_gather").scalar() == "0"


@service
def add_unit_after_reading(name: str):
    """A read followed by a write: the pattern that fails under contention with a deferred BEGIN."""
    count = _db.session.scalar(select(func.count()).select_from(Unit))
    unit = Unit(uscc=f"{count:018d}"[-18:], name=name, division_code="370202")
    _db.session.add(unit)
    return unit.id


@pytest.mark.sqlite_only(reason="SQLite's BEGIN IMMEDIATE")
def test_concurrent_writers_all_succeed_with_begin_immediate(app):
    """Eight threads write at once, each reading first: BEGIN IMMEDIATE queues them instead of failing them."""
    from registry.database import begin_write

    failures, done = [], []

    def writer(n):
        with app.app_context():
            try:
                for i in range(10):
                    begin_write()
                    _db.session.execute(sa.text("SELECT count(*) FROM unit")).scalar()
                    _db.session.execute(sa.text(
                        "INSERT INTO audit_event (at, actor, action) VALUES (CURRENT_TIMESTAMP, :a, 'test')"),
                        {"a": f"writer {n}.{i}"})
                    _db.session.commit()
                    done.append(1)
            except Exception as error:  # recorded, then asserted: the test must see every failure
                failures.append(repr(error))
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(done) == 80


def test_the_audit_log_refuses_update_and_delete(db):
    record_event(SYSTEM, "test_event")
    db.session.commit()
    for statement in ("UPDATE audit_event SET action = 'changed'", "DELETE FROM audit_event"):
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(sa.text(statement))
        db.session.rollback()
    assert db.session.scalar(select(AuditEvent.action)) == "test_event"


def test_a_failing_service_leaves_nothing_half_written(db):
    @service
    def half_then_fail():
        _db.session.add(Unit(uscc="9137020035791357M0", name="半条记录", division_code="370202"))
        _db.session.flush()
        record_event(SYSTEM, "unit_created")
        raise RuleViolation("name", "测试", "test")

    with pytest.raises(RuleViolation):
        half_then_fail()
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_id_numbers_are_encrypted_and_looked_up_by_keyed_hash(app, db):
    number = make_id_number()
    unit = unit_record()
    create(unit, person_record(unit["uscc"], number))
    person = db.session.scalar(select(Person))
    assert number.encode() not in person.id_number_ciphertext
    assert number not in person.id_number_hmac
    vault = app.extensions["id_vault"]
    assert vault.decrypt(person.id_number_ciphertext) == number
    assert person.id_number_hmac == vault.lookup_hash(number.lower())
    with db.engine.connect() as connection:
        dump = "\n".join(str(row) for row in connection.execute(sa.text("SELECT * FROM person")))
    assert number not in dump


def test_secrets_are_generated_private_on_first_run(tmp_path, database_url):
    instance = tmp_path / "instance"
    config = {"SQLALCHEMY_DATABASE_URI": database_url, "SEARCH_INDEX_DIR": str(tmp_path / "ix")}
    app = create_app(config, instance_path=str(instance))
    for name in ("secret_key", "id_number_key"):
        mode = stat.S_IMODE((instance / name).stat().st_mode)
        assert mode == 0o600
    again = create_app(config, instance_path=str(instance))
    assert again.config["ID_NUMBER_KEY"] == app.config["ID_NUMBER_KEY"]  # stable across restarts
    assert again.config["SECRET_KEY"] == app.config["SECRET_KEY"]
    with app.app_context():
        _db.engine.dispose()


def test_log_lines_never_hold_a_full_id_number(app, caplog):
    number = make_id_number()
    with caplog.at_level(logging.INFO):
        logging.getLogger("registry.test").info("looked up %s for a regulator", number)
    assert number not in caplog.text
    assert f"{number[:6]}********{number[-4:]}" in caplog.text


def test_a_500_shows_an_error_id_and_no_traceback(app, client):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret detail 370202198403120458")

    response = client.get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "secret detail" not in body and "370202198403120458" not in body
    assert "<code>" in body
