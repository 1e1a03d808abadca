"""The import of the exchange format (DESIGN §5): the same rules as the services, then one bulk write.

Import is all-or-nothing per file and idempotent: every line is checked first (structure, check characters,
codes, references to the file or the database, and each invariant through the same `rules` function the
services call, with the same message), and only a file with no bad line is written, in one transaction,
through bulk statements (`bulk.py`): each kind's new rows get their ids first and go to the database on a thread
of their own while the next kind is checked, and a file's reviews of its own new projects read nothing back.
Natural keys: uscc, id_number, ref, decision_number, and (project_ref, report_type, round). A record that is
already there with the same values is left alone, so the same file twice changes nothing; a changed record keeps
its earlier version.
"""
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy import null as sa_null

from registry import figures
from registry.access import Actor
from registry.clock import today
from registry.database import in_keys
from registry.exchange.bulk import allocate_ids, analyze_grown, insert_rows
from registry.exchange.parse import ExchangeError, Line, parse_lines
from registry.extensions import db
from registry.models import (AuditEvent, Commitment, Complaint, Employment, Penalty, Person, PersonVersion, Project,
                             ProjectRole, ProjectVersion, Review, SearchOutbox, Unit, UnitCategory, UnitVersion)
from registry.models.base import utcnow
from registry.models.versions import next_version
from registry.reference import CATEGORIES
from registry.rules.amounts import check_amount, check_area
from registry.rules.ban_terms import check_ban_terms, severity_with_ban
from registry.rules.cessation import check_cessation_date
from registry.rules.complaints import VERIFIED, check_finding
from registry.rules.dates import check_complaint_dates, check_event_date, check_project_dates
from registry.rules.divisions import province_of, validate_county_code, validate_division_code
from registry.rules.errors import RuleViolation
from registry.rules.identifiers import mask_id_number, validate_id_number, validate_uscc
from registry.rules.industries import validate_industry_code
from registry.rules.normalize import normalize_text
from registry.rules.penalties import check_ban_matches_kinds, check_fine_given, decision_text
from registry.rules.publicity import (check_decision_date, check_publicity_end, check_repair_date, default_publicity_end,
                                     governing_period)
from registry.rules.projects import PROJECT_TEXTS, project_text
from registry.rules.reports import check_report_fits_category
from registry.rules.reviews import check_round
from registry.schemas.exchange import KIND_ORDER
from registry.services import service
from registry.services.audit import SECRET_COLUMNS, json_value, record_event, snapshot
from registry.services.people import new_public_id, vault


@dataclass
class ImportReport:
    """What an import did: lines read, records created and updated by kind, lines that changed nothing."""

    lines: int = 0
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def count(self, bucket: dict, kind: str) -> None:
        bucket[kind] = bucket.get(kind, 0) + 1


def import_jsonl(actor: Actor, lines: Iterable[str], progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import a file in the exchange format; all or nothing."""
    parsed = parse_lines(lines, progress)
    return _apply(actor, parsed)


def import_records(actor: Actor, records: list[dict]) -> ImportReport:
    """Import records given as dicts (the same checks as a file; line numbers count from 1)."""
    return import_jsonl(actor, [json.dumps(record, default=json_value, ensure_ascii=False) for record in records])


@service
def _apply(actor: Actor, parsed: list[Line]) -> ImportReport:
    report = ImportReport(lines=len(parsed))
    importer = _Importer(actor, report)
    by_kind: dict[str, list[Line]] = {kind: [] for kind in KIND_ORDER}
    for line in parsed:
        by_kind[line.kind].append(line)
    for kind in KIND_ORDER:
        APPLY[kind](importer, by_kind[kind])
    analyze_grown(importer.session)  # before the firms' figures are counted again (at the commit)
    importer.enqueue_touched()  # once, after every kind: each may have changed a firm's or person's public view
    if report.changed:
        record_event(actor, "import", detail=json.dumps(
            {"lines": report.lines, "created": report.created, "updated": report.updated}, ensure_ascii=False))
    return report


def _check(line: Line, check, *args, field_name: str | None = None, **options):
    """Run a rule; a RuleViolation becomes the line's ExchangeError."""
    try:
        return check(*args, **options)
    except RuleViolation as violation:
        raise ExchangeError(line.number, field_name or violation.field, violation.message_zh,
                            violation.message_en) from None


def _keep_repair(line: Line, penalty: Penalty | None) -> None:
    """Repair is a fact an import may add but never erase: a line that omits it keeps the recorded one; a line
    that gives another date is refused."""
    if penalty is None or penalty.repaired_on is None:
        return
    given = line.data.get("repaired_on")
    if given is None:
        line.data["repaired_on"] = penalty.repaired_on
    elif given != penalty.repaired_on:
        raise ExchangeError(line.number, "repaired_on",
                            f"该处罚已于{penalty.repaired_on.isoformat()}信用修复，导入不能更改或撤销信用修复",
                            f"repair was granted on {penalty.repaired_on.isoformat()}: an import cannot change or undo it")


def _keep_cessation(line: Line, unit: Unit | None, day: date) -> date | None:
    """Ceasing business is declared once: a line may add it, by the rule of the firm's own page, but a line that
    omits it keeps the recorded date and a line that gives another is refused."""
    recorded = unit.ceased_on if unit is not None else None
    given = line.data.get("ceased_on")
    if given is None:
        return recorded
    if recorded is not None and given != recorded:
        raise ExchangeError(line.number, "ceased_on", f"该单位已于{recorded.isoformat()}注销，导入不能更改或撤销注销日期",
                            f"the firm ceased business on {recorded.isoformat()}: an import cannot change or undo it")
    return _check(line, check_cessation_date, given, line.data.get("established_on"), day)


def _keep_party(data: dict, penalty: Penalty | None, parties: dict) -> None:
    """The party as decided: a line's own value, else the value already recorded, else the registered
    firm's or person's (a later rename does not change a published decision)."""
    kind = "unit" if data["unit_id"] else "person"
    name, representative = parties.get((kind, data[f"{kind}_id"]), (None, None))
    defaults = {"party_name": name, "legal_representative": representative,
                "id_type": "resident_id_card" if kind == "person" else None}
    for key, default in defaults.items():
        if data.get(key) is None:
            data[key] = getattr(penalty, key) if penalty is not None and getattr(penalty, key) else default


def _previous_round(key: tuple, incoming: dict, existing: dict) -> tuple[date, bool] | None:
    """(reviewed_on, passed) of the round before, as this file gives it, else as the registry holds it."""
    if key in incoming:
        return incoming[key].data["reviewed_on"], incoming[key].data["passed"]
    if key in existing:
        return existing[key].reviewed_on, existing[key].passed
    return None


def _check_optional_division(line: Line, field_name: str) -> None:
    """Validate an optional division code of the line in place (an authority's division, say)."""
    if line.data.get(field_name):
        line.data[field_name] = _check(line, validate_division_code, line.data[field_name], field_name)


def _dangling(line: Line, field_name: str, what_zh: str, what_en: str):
    return ExchangeError(line.number, field_name, f"引用的{what_zh}在文件和数据库中都不存在",
                         f"the referenced {what_en} is neither in the file nor in the registry")


def _differs(row, values: dict) -> dict:
    """The fields whose stored value differs from the incoming one, as {field: (before, after)}."""
    changed = {}
    for key, value in values.items():
        current = getattr(row, key)
        if isinstance(current, Decimal) and value is not None:
            value = Decimal(value)
        if current != value:
            changed[key] = (json_value(current), json_value(value))
    return changed


class _Importer:
    """Applies checked lines kind by kind; each apply_* validates references first, then writes in bulk."""

    def __init__(self, actor: Actor, report: ImportReport):
        self.actor, self.report = actor, report
        self.session = db.session
        self.today = today()
        self.unit_ids: dict[str, int] = {}
        self.unit_provinces: dict[int, str] = {}  # each firm's province, which its new projects hold (migration 0036)
        self.person_ids: dict[str, int] = {}  # keyed by the ID number's keyed hash
        self.person_id_by_number: dict[str, int] = {}  # for this import only, never kept
        self.project_ids: dict[str, int] = {}
        self.created_projects: dict[int, tuple] = {}  # id: (category, division_code, unit_id) of each project created
        self.touched_units: set[int] = set()
        self.touched_persons: set[int] = set()
        self.now = utcnow()

    # -- lookups -------------------------------------------------------------------------------------------
    def _in(self, column, keys) -> list:
        """Conditions that together select the rows whose `column` is one of `keys` (see `in_keys`)."""
        return list(in_keys(self.session.get_bind().dialect.name, column, keys))

    def _give_ids(self, model, rows: list[dict], ids: dict, key) -> None:
        """Give new rows their ids before they are written (`allocate_ids`), and note each in `ids` by its key: what
        follows needs no read of them, and goes on while the rows are written."""
        for row, new_id in zip(rows, allocate_ids(self.session, model, len(rows))):
            row["id"] = ids[key(row)] = new_id

    def unit_id(self, line: Line, uscc: str, field_name: str) -> int:
        if uscc in self.unit_ids:  # already checked: a file names its firm on every project line
            return self.unit_ids[uscc]
        code = _check(line, validate_uscc, uscc, field_name, field_name=field_name)
        if code not in self.unit_ids:
            found = self.session.execute(select(Unit.id, Unit.division_code).where(Unit.uscc == code)).first()
            if found is None:
                raise _dangling(line, field_name, "从业单位", "firm")
            self.unit_ids[code] = found.id
            self.unit_provinces[found.id] = province_of(found.division_code)
        return self.unit_ids[code]

    def person_id(self, line: Line, id_number: str, field_name: str) -> int:
        if id_number in self.person_id_by_number:  # a file names its staff on many projects
            return self.person_id_by_number[id_number]
        number = _check(line, validate_id_number, id_number, field_name, field_name=field_name)
        key = vault().lookup_hash(number)
        if key not in self.person_ids:
            found = self.session.scalar(select(Person.id).where(Person.id_number_hmac == key))
            if found is None:
                raise _dangling(line, field_name, "从业个人", "person")
            self.person_ids[key] = found
        self.person_id_by_number[id_number] = self.person_ids[key]
        return self.person_ids[key]

    def project_id(self, line: Line, ref: str, field_name: str) -> int:
        if ref not in self.project_ids:
            found = self.session.scalar(select(Project.id).where(Project.ref == ref))
            if found is None:
                raise _dangling(line, field_name, "项目", "project")
            self.project_ids[ref] = found
        return self.project_ids[ref]

    def _commitment(self, line: Line, subject: dict, signed_at_now, commitment: dict | None):
        """An imported commitment (the national system's record of a signature with consent)."""
        if commitment is None or signed_at_now is not None:
            return None
        return {**subject, "text_version": None, "text_sha256": None, "signer": commitment["signer"],
                "signed_at": commitment["signed_at"], "ip": None, "truthfulness": True,
                "consent_to_publish": True, "source": "import", "signed_by_account_id": self.actor.account_id}

    @staticmethod
    def _non_disclosure(data: dict) -> dict:
        mark = data.get("non_disclosed")
        return {"non_disclosure_reason": mark["reason"] if mark else None}

    def _update(self, model, history, row, changes: dict, kind: str) -> None:
        """Apply changes to an existing row, keeping its earlier version (firms, persons and projects have a
        history) and an audit event."""
        before = {key: old for key, (old, _new) in changes.items()}
        after = {key: new for key, (_old, new) in changes.items()}
        values = {key: new for key, (_old, new) in changes.items()}
        if history is not None:
            self.session.add(next_version(row, history, snapshot(row), replaced_by_account_id=self.actor.account_id))
        columns = {key: value for key, value in values.items() if key in model.__table__.columns}
        self.session.execute(update(model).where(model.id == row.id).values(**_typed(model, columns)))
        record_event(self.actor, f"{kind}_updated_by_import", row, before=before, after=after)
        self.report.count(self.report.updated, kind)

    def _audit_created(self, table: str, rows: list[dict], ids: dict, key) -> None:
        """One `<table>_imported` audit event per new record, in bulk, with the values it was created with
        (never a full ID number: persons' ciphertext and keyed hash are left out)."""
        events = [{
            "at": self.now, "actor_account_id": self.actor.account_id, "actor": self.actor.label,
            "action": f"{table}_imported", "record_type": table, "record_id": ids[key(row)],
            "division_code": row.get("division_code") or row.get("authority_division_code"),
            # the values as they are: the engine's JSON serializer writes dates and decimals (json_text)
            "after": row if SECRET_COLUMNS.isdisjoint(row) else
                     {name: value for name, value in row.items() if name not in SECRET_COLUMNS},
            "ip": self.actor.ip,
        } for row in rows]
        if events:
            insert_rows(self.session, AuditEvent, events)

    def _create_or_update(self, model, kind: str, row, values: dict, new_rows: list, new_row: dict) -> None:
        """Queue a new row for the bulk insert, or apply what changed to the existing one (nothing if nothing did)."""
        if row is None:
            new_rows.append(new_row)
            self.report.count(self.report.created, kind)
            return
        changes = _differs(row, values)
        if changes:
            self._update(model, None, row, changes, kind)
        else:
            self.report.unchanged += 1

    # -- kinds ---------------------------------------------------------------------------------------------
    def apply_units(self, lines: list[Line]) -> None:
        incoming: dict[str, Line] = {}
        for line in lines:
            data = line.data
            data["uscc"] = _check(line, validate_uscc, data["uscc"])
            data["division_code"] = _check(line, validate_county_code, data["division_code"], "division_code",
                                           city_allowed=True)
            data["name"] = _check(line, normalize_text, data["name"], "name")
            if not data["categories"] and data.get("registered", True):
                raise ExchangeError(line.number, "categories", "请至少选择一项业务类别", "at least one category "
                                    "(only a firm a penalty created without registration has none)")
            incoming[data["uscc"]] = line
        existing = {u.uscc: u for u in self._rows(Unit, Unit.uscc, incoming)}
        new_rows, categories, commitments = [], [], []
        for uscc, line in incoming.items():
            data = line.data
            row = existing.get(uscc)
            if row is not None and row.registered and not data["categories"]:
                raise ExchangeError(line.number, "categories", "请至少选择一项业务类别",
                                    "at least one category (the firm is registered)")
            values = {"name": data["name"], "legal_representative": data.get("legal_representative"),
                      "division_code": data["division_code"], "address": data.get("address"),
                      "established_on": data.get("established_on"), "contact_phone": data.get("contact_phone"),
                      "ceased_on": _keep_cessation(line, row, self.today), **self._non_disclosure(data)}
            if row is None:
                # a firm the authorities import needs no check of its licence, unless the line says otherwise (a
                # backup of a self-registration not yet confirmed, or of a firm a penalty created)
                new_rows.append({"uscc": uscc, **values, "version": 1, "registered": data.get("registered", True),
                                 "registration_confirmed_at": data.get("registration_confirmed_at", self.now)})
                continue
            changes = _differs(row, values)
            if sorted(data["categories"]) != row.category_codes:
                changes["categories"] = (row.category_codes, sorted(data["categories"]))
            commitment = self._commitment(line, {"unit_id": row.id}, row.commitment_signed_at, data.get("commitment"))
            if changes:
                self._update(Unit, UnitVersion, row, changes, "unit")
                if "categories" in changes:
                    self.session.execute(UnitCategory.__table__.delete().where(UnitCategory.unit_id == row.id))
                    categories += [{"unit_id": row.id, "category": c} for c in sorted(set(data["categories"]))]
                self.touched_units.add(row.id)
            if commitment:
                commitments.append(commitment)
                self.touched_units.add(row.id)
            if not changes and not commitment:
                self.report.unchanged += 1
            self.unit_ids[uscc] = row.id
            self.unit_provinces[row.id] = province_of(data["division_code"])
        if new_rows:
            self._give_ids(Unit, new_rows, self.unit_ids, lambda row: row["uscc"])
            for row in new_rows:
                line = incoming[row["uscc"]]
                self.unit_provinces[row["id"]] = province_of(row["division_code"])
                categories += [{"unit_id": row["id"], "category": c} for c in sorted(set(line.data["categories"]))]
                commitment = self._commitment(line, {"unit_id": row["id"]}, None, line.data.get("commitment"))
                row["commitment_signed_at"] = commitment["signed_at"] if commitment else None  # signed as it is created
                if commitment:
                    commitments.append(commitment)
                self.touched_units.add(row["id"])
                self.report.count(self.report.created, "unit")
            insert_rows(self.session, Unit, new_rows)
            self._audit_created("unit", new_rows, self.unit_ids, lambda row: row["uscc"])
        if categories:
            insert_rows(self.session, UnitCategory, categories)
        self._sign(Unit, "unit_id", commitments, {row["id"] for row in new_rows})

    def _sign(self, model, fk: str, commitments: list[dict], created: set[int]) -> None:
        """The commitments, and the signature on the records already there (a created one was written signed)."""
        if not commitments:
            return
        insert_rows(self.session, Commitment, commitments)
        signed = [{"b_id": commitment[fk], "b_signed": commitment["signed_at"]}
                  for commitment in commitments if commitment[fk] not in created]
        if signed:
            table = model.__table__
            self.session.connection().execute(  # one executemany, not a statement per signature
                update(table).where(table.c.id == bindparam("b_id")).values(commitment_signed_at=bindparam("b_signed")),
                signed)

    def _rows(self, model, key_column, keys) -> list:
        rows = []
        for among in self._in(key_column, keys):
            rows += self.session.scalars(select(model).where(among)).all()
        return rows

    def _check_employments(self, line: Line) -> None:
        """A person line's firm (none only for a person a penalty created without registration), and its
        employments in order: each earlier one ended before the next began, none in the future."""
        data = line.data
        if data["unit_uscc"] is None:
            if data.get("registered", True):
                raise ExchangeError(line.number, "unit_uscc", "缺少必填字段",
                                    "required (only a person a penalty created without registration has no firm)")
            data["unit_id"] = None
            for name in ("employed_since", "employed_until", "end_entered_on", "earlier_employments"):
                if data.get(name):
                    raise ExchangeError(line.number, name, "未登记的个人没有任职记录",
                                        "a person a penalty created without registration has no employment")
        else:
            data["unit_id"] = self.unit_id(line, data["unit_uscc"], "unit_uscc")
        earlier = data.get("earlier_employments") or []
        periods = [(f"earlier_employments.{index}.", item) for index, item in enumerate(earlier)]
        for prefix, item in periods:
            item["unit_id"] = self.unit_id(line, item.pop("unit_uscc"), prefix + "unit_uscc")
        if data["unit_id"] is not None:
            periods.append(("", {"started_on": data.get("employed_since"), "ended_on": data.get("employed_until"),
                                 "end_entered_on": data.get("end_entered_on")}))
        previous_end = None
        for prefix, item in periods:
            for name, field_name in (("started_on", "employed_since"), ("ended_on", "employed_until"),
                                     ("end_entered_on", "end_entered_on")):
                _check(line, check_event_date, item.get(name), prefix + (name if prefix else field_name), self.today)
            start, end = item.get("started_on"), item.get("ended_on")
            if not prefix and end is not None and start is None:
                raise ExchangeError(line.number, "employed_since", "有离职日期时应填写入职日期",
                                    "a departure needs the day the employment began")
            if not prefix and start and end and end < start:
                raise ExchangeError(line.number, "employed_until", "离职日期不能早于入职日期",
                                    "an employment ends on or after its start")
            if not prefix and end is None and data.get("end_entered_on"):
                raise ExchangeError(line.number, "end_entered_on", "没有离职日期时不能填写离职登记日期",
                                    "a departure entered needs the day it took effect (employed_until)")
            if not prefix and end and data.get("end_entered_on") and data["end_entered_on"] < end:
                raise ExchangeError(line.number, "end_entered_on", "离职登记日期不能早于离职日期",
                                    "a departure is entered on or after the day it took effect")
            if previous_end is not None and start is not None and start < previous_end:
                where = prefix + "started_on" if prefix else "employed_since"
                raise ExchangeError(line.number, where, "任职记录应按时间先后排列且互不重叠",
                                    "employments are in order, each beginning after the one before ended")
            previous_end = end

    def _end_employment(self, line: Line, person: Person, current: Employment) -> None:
        """A line says the person left the firm they work for here: the departure is recorded."""
        until = line.data["employed_until"]
        if until < current.started_on:
            raise ExchangeError(line.number, "employed_until", "离职日期不能早于入职日期",
                                "an employment ends on or after its start")
        current.ended_on, current.end_entered_on = until, line.data.get("end_entered_on")
        self.session.flush()
        record_event(self.actor, "person_updated_by_import", person, before={"employed_until": None},
                     after={"employed_until": until.isoformat()})
        self.touched_persons.add(person.id)

    def apply_persons(self, lines: list[Line]) -> None:
        incoming: dict[str, tuple[Line, str]] = {}
        for line in lines:
            number = _check(line, validate_id_number, line.data["id_number"])
            line.data["name"] = _check(line, normalize_text, line.data["name"], "name")
            self._check_employments(line)
            incoming[vault().lookup_hash(number)] = (line, number)
        existing = {p.id_number_hmac: p for p in self._rows(Person, Person.id_number_hmac, incoming)}
        new_rows, commitments, moves, history = [], [], [], []
        for key, (line, number) in incoming.items():
            data = line.data
            values = {"name": data["name"], "title": data.get("title"), **self._non_disclosure(data)}
            row = existing.get(key)
            if row is None:
                new_rows.append({"public_id": new_public_id(), "id_number_hmac": key,
                                 "id_number_ciphertext": vault().encrypt(number),
                                 "id_number_masked": mask_id_number(number), **values, "version": 1,
                                 "registered": data.get("registered", True)})
                continue
            self.person_ids[key] = row.id
            changes = _differs(row, values)
            if changes:
                self._update(Person, PersonVersion, row, changes, "person")
                self.touched_persons.add(row.id)
            current, until = row.current_employment, data.get("employed_until")
            moved = False
            if current is not None and current.unit_id == data["unit_id"]:
                if until is not None:  # the person left the firm they work for here
                    self._end_employment(line, row, current)
                    moved = True
            elif data["unit_id"] is not None and until is None:
                moves.append((row.id, data["unit_id"], data.get("title"), current, data.get("employed_since"), None,
                              None))
                self.touched_persons.add(row.id)
                moved = True
            # otherwise the line tells of an employment that already ended: the registry keeps its own history
            commitment = self._commitment(line, {"person_id": row.id}, row.commitment_signed_at, data.get("commitment"))
            if commitment:
                commitments.append(commitment)
                self.touched_persons.add(row.id)
            if not changes and not commitment and not moved:
                self.report.unchanged += 1
        if new_rows:
            self._give_ids(Person, new_rows, self.person_ids, lambda row: row["id_number_hmac"])
            for row in new_rows:
                line, _number = incoming[row["id_number_hmac"]]
                person_id = row["id"]
                history += [{"person_id": person_id, "unit_id": earlier["unit_id"], "title": earlier.get("title"),
                             "started_on": earlier["started_on"], "ended_on": earlier["ended_on"],
                             "end_entered_on": earlier.get("end_entered_on")}
                            for earlier in line.data.get("earlier_employments", [])]
                if line.data["unit_id"] is not None:
                    moves.append((person_id, line.data["unit_id"], line.data.get("title"), None,
                                  line.data.get("employed_since"), line.data.get("employed_until"),
                                  line.data.get("end_entered_on")))
                commitment = self._commitment(line, {"person_id": person_id}, None, line.data.get("commitment"))
                row["commitment_signed_at"] = commitment["signed_at"] if commitment else None  # signed as it is created
                if commitment:
                    commitments.append(commitment)
                self.touched_persons.add(person_id)
                self.report.count(self.report.created, "person")
            insert_rows(self.session, Person, new_rows)
            self._audit_created("person", new_rows, self.person_ids, lambda row: row["id_number_hmac"])
        employments = history
        for person_id, unit_id, title, current, since, until, entered in moves:
            if current is not None:
                current.ended_on = max(self.today, current.started_on)
                self.session.flush()
            employments.append({"person_id": person_id, "unit_id": unit_id, "title": title,
                                "started_on": since if since and current is None else self.today,
                                "ended_on": until, "end_entered_on": entered})
        if employments:
            insert_rows(self.session, Employment, employments)
        self._sign(Person, "person_id", commitments, {row["id"] for row in new_rows})

    def apply_projects(self, lines: list[Line]) -> None:
        """The projects in parts of PROJECT_LINES lines: each part is checked and handed to the writer thread
        before the next is checked, so the database writes one part while Python checks the next. The projects
        already there are read first, once; a ref given twice keeps its last line, as one part would."""
        last = {line.data["ref"]: line for line in lines}
        existing = {p.ref: p for p in self._rows(Project, Project.ref, last)}
        new_refs = [ref for ref in last if ref not in existing]
        new_ids = dict(zip(new_refs, allocate_ids(self.session, Project, len(new_refs))))  # once, for every part
        # parts of one size: a last part of a few rows would go through Core's insert (below BULK_ROWS), which
        # waits for every part handed over before it (national batches on PostgreSQL: 0.135 s of 1.9)
        size = math.ceil(len(lines) / math.ceil(len(lines) / PROJECT_LINES)) if lines else 1
        for start in range(0, len(lines), size):
            self._apply_projects(lines[start:start + size], last, existing, new_ids)

    def _apply_projects(self, lines: list[Line], last: dict[str, Line], existing: dict[str, Project],
                        new_ids: dict[str, int]) -> None:
        incoming: dict[str, Line] = {}
        for line in lines:
            data = line.data
            data["unit_id"] = self.unit_id(line, data["unit_uscc"], "unit_uscc")
            data["division_code"] = _check(line, validate_county_code, data["division_code"])
            for text in PROJECT_TEXTS:
                data[text] = _check(line, project_text, data.get(text), text)
            data["area_m2"] = _check(line, check_area, data["area_m2"])
            if data.get("owner_uscc"):
                data["owner_uscc"] = _check(line, validate_uscc, data["owner_uscc"], "owner_uscc")
            if data.get("former_industry"):
                data["former_industry"] = _check(line, validate_industry_code, data["former_industry"])
            _check(line, check_project_dates, data.get("started_on"), data.get("contract_deadline"),
                   data.get("completed_on"), self.today)
            data["role_rows"] = sorted({
                (self.person_id(line, person["id_number"], f"people.{index}.id_number"), person["role"])
                for index, person in enumerate(data.get("people") or [])
            })
            if last[data["ref"]] is line:
                incoming[data["ref"]] = line
        new_rows, role_rows = [], []
        for ref, line in incoming.items():
            data = line.data
            values = {key: data.get(key) for key in ("unit_id", "category", "name", "parcel_name", "division_code",
                                                     "area_m2", "owner", "owner_uscc", "former_industry", "started_on",
                                                     "contract_deadline", "completed_on")}
            values.update(self._non_disclosure(data))
            row = existing.get(ref)
            if row is None:
                new_rows.append({"ref": ref, **values, "version": 1,
                                 "firm_province": self.unit_provinces[values["unit_id"]]})
                continue
            self.project_ids[ref] = row.id
            changes = _differs(row, values)
            current_roles = sorted((r.person_id, r.role) for r in row.roles)
            firm_before = row.unit_id  # the update sets the row's attributes too: a moved project touches both firms
            if changes:
                self._update(Project, ProjectVersion, row, changes, "project")
            if current_roles != data["role_rows"]:
                self.session.execute(ProjectRole.__table__.delete().where(ProjectRole.project_id == row.id))
                role_rows += [{"project_id": row.id, "person_id": p, "role": r} for p, r in data["role_rows"]]
                record_event(self.actor, "project_roles_updated_by_import", row,
                             before={"roles": current_roles}, after={"roles": data["role_rows"]})
                if not changes:
                    self.report.count(self.report.updated, "project")
            if changes or current_roles != data["role_rows"]:
                self.touched_units.update({firm_before, data["unit_id"]})
                self.touched_persons.update(p for p, _ in current_roles + data["role_rows"])
            else:
                self.report.unchanged += 1
        if new_rows:
            for row in new_rows:
                row["id"] = self.project_ids[row["ref"]] = new_ids[row["ref"]]
            insert_rows(self.session, Project, new_rows)
            self._audit_created("project", new_rows, self.project_ids, lambda row: row["ref"])
            for row in new_rows:
                line = incoming[row["ref"]]
                project_id = row["id"]
                self.created_projects[project_id] = (row["category"], row["division_code"], row["unit_id"])
                role_rows += [{"project_id": project_id, "person_id": p, "role": r} for p, r in line.data["role_rows"]]
                self.touched_units.add(row["unit_id"])
                self.touched_persons.update(p for p, _ in line.data["role_rows"])
                self.report.count(self.report.created, "project")
        if role_rows:
            insert_rows(self.session, ProjectRole, role_rows)

    def apply_reviews(self, lines: list[Line]) -> None:
        incoming: dict[tuple, Line] = {}
        for line in lines:
            data = line.data
            data["project_id"] = self.project_id(line, data["project_ref"], "project_ref")
            _check_optional_division(line, "authority_division_code")
            _check(line, check_event_date, data["reviewed_on"], "reviewed_on", self.today)
            incoming[(data["project_id"], data["report_type"], data["round"])] = line
        projects = self._projects({key[0] for key in incoming})
        existing = {}
        for among in self._in(Review.project_id, set(projects).difference(self.created_projects)):
            for review in self.session.scalars(select(Review).where(among)):  # a project just created has none
                existing[(review.project_id, review.report_type, review.round)] = review
        for (project_id, report_type, _round), line in incoming.items():
            _check(line, check_report_fits_category, report_type, projects[project_id][0])
        authorities = self._authorities(incoming, existing, projects)
        new_rows = []
        for key, line in incoming.items():
            data = line.data
            project_id, report_type, round_number = key
            _check(line, check_round, round_number, data["reviewed_on"],
                   _previous_round((project_id, report_type, round_number - 1), incoming, existing))
            values = {"reviewed_on": data["reviewed_on"], "passed": data["passed"], "authority": data.get("authority"),
                      "authority_division_code": authorities[key], **self._non_disclosure(data)}
            self._create_or_update(Review, "review", existing.get(key), values, new_rows, {
                "project_id": project_id, "unit_id": projects[project_id][2], "report_type": report_type,
                "round": round_number, "recorded_by_account_id": self.actor.account_id, **values})
        if new_rows:
            review_ids = {}
            key = lambda row: (row["project_id"], row["report_type"], row["round"])  # noqa: E731
            self._give_ids(Review, new_rows, review_ids, key)
            insert_rows(self.session, Review, new_rows)
            self._audit_created("review", new_rows, review_ids, key)
        self._touch_projects(projects)

    def _projects(self, project_ids: set[int]) -> dict[int, tuple]:
        """(category, division_code, unit_id) of each project: as created by this import, else as stored. Only the
        others are read, so a file's reviews of its own projects wait for no write."""
        projects = {i: self.created_projects[i] for i in project_ids if i in self.created_projects}
        for among in self._in(Project.id, project_ids.difference(projects)):
            projects.update((i, tuple(facts)) for i, *facts in self.session.execute(
                select(Project.id, Project.category, Project.division_code, Project.unit_id).where(among)))
        return projects

    def _touch_projects(self, projects: dict[int, tuple]) -> None:
        """The firms of these projects (`_projects`) may show something new."""
        self.touched_units.update(unit_id for _category, _division, unit_id in projects.values())

    @staticmethod
    def _authorities(incoming: dict, existing: dict, projects: dict[int, tuple]) -> dict:
        """The authority each review or complaint belongs to: the one the line names, else the one
        already stored, else the project's location when it arrives; stored, so that a later move of the
        project never hands the record to another authority."""
        return {key: line.data.get("authority_division_code")
                or getattr(existing.get(key), "authority_division_code", None)
                or projects[line.data["project_id"]][1] for key, line in incoming.items()}

    def apply_penalties(self, lines: list[Line]) -> None:
        incoming: dict[str, Line] = {}
        rules = current_app.config["PUBLICITY_RULES"]
        for line in lines:
            data = line.data
            subject = data["subject"]
            if "uscc" in subject:
                data["unit_id"], data["person_id"] = self.unit_id(line, subject["uscc"], "subject.uscc"), None
            else:
                data["unit_id"], data["person_id"] = None, self.person_id(line, subject["id_number"], "subject.id_number")
            _check_optional_division(line, "authority_division_code")
            for text in ("violation_type", "violation", "basis", "content", "licence_action", "data_source"):
                data[text] = _check(line, decision_text, data.get(text), text)
            if data.get("authority_uscc"):
                data["authority_uscc"] = _check(line, validate_uscc, data["authority_uscc"], "authority_uscc")
            ban = data.get("ban") or {}
            data["ban_until"], data["ban_lifetime"] = ban.get("until"), bool(ban.get("lifetime"))
            data["severity"] = severity_with_ban(data.get("severity"), bool(ban)) or "ordinary"
            _check(line, check_fine_given, data["kinds"], data.get("fine_yuan"))
            _check(line, check_ban_matches_kinds, data["kinds"], bool(ban))
            # the form's rule and words; {"lifetime": true} on a person records that the decision found a crime
            data["ban_categories"] = _check(line, lambda: check_ban_terms(
                subject_kind="unit" if "uscc" in subject else "person", severity=data["severity"],
                decided_on=data["decided_on"], ban_until=data["ban_until"], ban_lifetime=data["ban_lifetime"],
                crime_found=data["ban_lifetime"], categories=ban.get("categories"), known_categories=CATEGORIES))
            _check(line, check_decision_date, data["decided_on"], self.today)
            for amount_field in ("fine_yuan", "confiscated_yuan"):
                data[amount_field] = _check(line, check_amount, data.get(amount_field), amount_field)
            # the same period and repair rules as the regulator's form: the longest period of
            # the decision's kinds and severity applies
            governing = _check(line, governing_period, data["severity"], data.get("kinds"), data["decided_on"], rules)
            if data.get("publicity_ends_on"):
                _check(line, check_publicity_end, governing.severity, data["decided_on"], data["publicity_ends_on"], rules)
            else:
                data["publicity_ends_on"] = _check(line, default_publicity_end, governing.severity, data["decided_on"],
                                                   rules)
            if data.get("repaired_on"):
                _check(line, check_repair_date, governing.severity, data["decided_on"], data["repaired_on"], self.today,
                       rules)
            incoming[data["decision_number"]] = line
        existing = {p.decision_number: p for p in self._rows(Penalty, Penalty.decision_number, incoming)}
        parties = self._parties(incoming.values())
        new_rows = []
        for number, line in incoming.items():
            data = line.data
            _keep_repair(line, existing.get(number))
            _keep_party(data, existing.get(number), parties)
            values = {key: data.get(key) for key in (
                "unit_id", "person_id", "authority", "authority_division_code", "authority_uscc", "decided_on",
                "kinds", "severity", "violation_type", "violation", "basis", "content", "fine_yuan",
                "confiscated_yuan", "licence_action", "ban_until", "ban_lifetime", "ban_categories", "publicity_ends_on",
                "repaired_on", "data_source", "party_name", "legal_representative", "id_type")}
            values.update(self._non_disclosure(data))
            row = existing.get(number)
            if data["unit_id"]:
                self.touched_units.add(data["unit_id"])
            else:
                self.touched_persons.add(data["person_id"])
            self._create_or_update(Penalty, "penalty", row, values, new_rows, {
                "decision_number": number, "recorded_by_account_id": self.actor.account_id, **values})
        if new_rows:
            ids = {}
            self._give_ids(Penalty, new_rows, ids, lambda row: row["decision_number"])
            insert_rows(self.session, Penalty, new_rows)
            self._audit_created("penalty", new_rows, ids, lambda row: row["decision_number"])

    def _parties(self, lines) -> dict[tuple[str, int], tuple[str, str | None]]:
        """(name, legal representative) of the firms and persons the penalties name."""
        parties = {}
        for kind, model, column in (("unit", Unit, Unit.legal_representative), ("person", Person, None)):
            ids = {line.data[f"{kind}_id"] for line in lines if line.data[f"{kind}_id"]}
            for among in self._in(model.id, ids):
                columns = (model.id, model.name, column if column is not None else sa_null())
                parties.update({(kind, i): (name, representative) for i, name, representative
                                in self.session.execute(select(*columns).where(among))})
        return parties

    def apply_complaints(self, lines: list[Line]) -> None:
        incoming: dict[str, Line] = {}
        for line in lines:
            data = line.data
            data["project_id"] = self.project_id(line, data["project_ref"], "project_ref")
            _check_optional_division(line, "authority_division_code")
            _check(line, check_complaint_dates, data["received_on"], data.get("verified_on"), self.today)
            if data["status"] in VERIFIED:
                data["finding"] = _check(line, check_finding, data.get("finding"))
            incoming[data["ref"]] = line
        existing = {c.ref: c for c in self._rows(Complaint, Complaint.ref, incoming)}
        projects = self._projects({line.data["project_id"] for line in incoming.values()})
        authorities = self._authorities(incoming, existing, projects)
        new_rows = []
        for ref, line in incoming.items():
            data = line.data
            complainant = data.get("complainant") or {}
            values = {"project_id": data["project_id"], "received_on": data["received_on"], "status": data["status"],
                      "description": data.get("description"), "verified_on": data.get("verified_on"),
                      "finding": data.get("finding"), "authority": data.get("authority"),
                      "authority_division_code": authorities[ref],
                      "complainant_name": complainant.get("name"),
                      "complainant_contact": complainant.get("phone") or complainant.get("contact"),
                      **self._non_disclosure(data)}
            self._create_or_update(Complaint, "complaint", existing.get(ref), values, new_rows, {"ref": ref, **values})
        if new_rows:
            ids = {}
            self._give_ids(Complaint, new_rows, ids, lambda row: row["ref"])
            insert_rows(self.session, Complaint, new_rows)
            self._audit_created("complaint", new_rows, ids, lambda row: row["ref"])
        self._touch_projects(projects)

    def enqueue_touched(self) -> None:
        """One outbox row per firm and person whose public view may have changed."""
        rows = [{"record_type": "unit", "record_id": i} for i in sorted(self.touched_units)]
        rows += [{"record_type": "person", "record_id": i} for i in sorted(self.touched_persons)]
        if rows:
            insert_rows(self.session, SearchOutbox, rows)
        figures.touch(self.session, self.touched_units)


# Project lines checked before a part of them is handed to the writer thread (a national file's batch of 500 firms
# has about 10,000): small enough that the writer starts early, large enough that a part is one COPY of many rows.
PROJECT_LINES = 2000

# Each kind's step, applied in KIND_ORDER so that a line may name a record that comes later in its file.
APPLY: dict[str, Callable[[_Importer, list[Line]], None]] = {
    "unit": _Importer.apply_units,
    "person": _Importer.apply_persons,
    "project": _Importer.apply_projects,
    "review": _Importer.apply_reviews,
    "penalty": _Importer.apply_penalties,
    "complaint": _Importer.apply_complaints,
}



def _typed(model, values: dict) -> dict:
    """Values from `_differs` (JSON-ready) back into the column's Python type."""
    typed = {}
    columns = model.__table__.columns
    for key, value in values.items():
        python_type = None
        try:
            python_type = columns[key].type.python_type
        except (NotImplementedError, KeyError):
            pass
        if value is not None and python_type is date and isinstance(value, str):
            value = date.fromisoformat(value)
        elif value is not None and python_type is datetime and isinstance(value, str):
            value = datetime.fromisoformat(value)
        elif value is not None and python_type is Decimal:
            value = Decimal(value)
        typed[key] = value
    return typed

