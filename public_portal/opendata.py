"""Open data: the public records in the exchange format (`export --public`, DESIGN §5) and as CSV.

Both downloads come from the same public export, so the CSV files hold exactly what the JSON Lines file
holds: only what is public today, masked, without contacts or complainants.
"""
import csv
import io
import json
from collections.abc import Iterator

from registry.clock import today
from registry.exchange.export import export_jsonl

# kind -> columns; a dotted name reads inside a nested object
CSV_KINDS: dict[str, list[str]] = {
    "unit": ["uscc", "name", "legal_representative", "division_code", "address", "categories", "established_on",
             "ceased_on", "registration_confirmed", "commitment.signed_at"],
    "person": ["public_id", "id_number_masked", "name", "unit_uscc", "title"],
    "project": ["ref", "unit_uscc", "category", "name", "parcel_name", "division_code", "area_m2", "owner",
                "owner_uscc", "former_industry", "started_on", "contract_deadline", "completed_on", "people"],
    "review": ["project_ref", "unit_uscc", "report_type", "round", "reviewed_on", "passed", "authority"],
    "penalty": ["decision_number", "party_name", "subject.uscc", "legal_representative", "id_type", "subject.public_id",
                "subject.id_number_masked", "violation_type", "violation", "basis", "kinds", "content", "fine_yuan",
                "confiscated_yuan", "licence_action", "decided_on", "publicity_ends_on", "authority",
                "authority_uscc", "data_source", "severity", "ban.until", "ban.lifetime", "ban.categories",
                "repaired_on"],
    "complaint": ["ref", "project_ref", "unit_uscc", "received_on", "status", "verified_on", "finding", "authority"],
}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def jsonl_lines() -> Iterator[str]:
    """The public export, one JSON object per line (its first line carries the generation date)."""
    yield from export_jsonl(public=True)


def _cell(record: dict, column: str) -> str:
    value = record
    for key in column.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(":".join(str(v) for k, v in item.items() if k != "id_number_masked")
                        if isinstance(item, dict) else str(item) for item in value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value  # a spreadsheet would run it as a formula (CSV injection); the JSON keeps it exact
    return str(value)


def csv_lines(kind: str) -> Iterator[str]:
    """The public records of one kind as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese)."""
    columns = CSV_KINDS[kind]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns + ["generated_on"])
    yield "\ufeff" + buffer.getvalue()
    generated = today().isoformat()
    for line in export_jsonl(public=True):
        record = json.loads(line)
        if record.get("kind") != kind:
            continue
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(record, column) for column in columns] + [generated])
        yield buffer.getvalue()
