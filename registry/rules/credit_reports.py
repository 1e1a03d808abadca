"""The verifiable credit report (信用报告): its number, validity, purpose line, the digest of its content, and
what changed in the public record since it was issued (DESIGN §10).

A report is the public record of one firm or person as it stood on its as-of date, frozen as canonical JSON.
Its number is what a tender committee types or scans to check it, so it is random (not guessable from another
report's number) and written in groups of four from an alphabet without look-alike letters, to be read aloud
or typed from paper without doubt.
"""
import hashlib
import json
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from registry.rules.errors import RuleViolation
from registry.rules.normalize import INVISIBLE

VALIDITY_DAYS = 30  # a report is valid for 30 days, its as-of day counted as the first
PURPOSE_MAX = 100
NUMBER_PREFIX = "XYBG"  # 信用报告
# Crockford's base 32: no I, L, O or U, so 1/I/L and 0/O cannot be confused when read aloud or retyped
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
READ_AS = {"O": "0", "I": "1", "L": "1"}
GROUPS, GROUP_SIZE = 4, 4  # 16 symbols of 5 bits: 80 random bits
SUBJECT_KINDS = ("unit", "person")
PURPOSE_PREFIXES = ("用于：", "用于:", "用于", "For:", "for:")


def new_report_number() -> str:
    """A fresh random report number: `XYBG-7K3M-Q9PD-4HXA-2TZW`."""
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_SIZE))
    groups = [symbols[i:i + GROUP_SIZE] for i in range(0, len(symbols), GROUP_SIZE)]
    return "-".join([NUMBER_PREFIX, *groups])


def parse_report_number(text: str | None) -> str | None:
    """A report number as typed (any case, spaces or hyphens anywhere, full-width, O for 0 and I or L for 1) in
    its canonical form, or None when it cannot be one."""
    if not text or len(text) > 80:
        return None
    folded = unicodedata.normalize("NFKC", text).upper()
    compact = "".join(ch for ch in folded if ch not in " -\u00a0\t")
    if not compact.startswith(NUMBER_PREFIX):
        return None
    body = "".join(READ_AS.get(ch, ch) for ch in compact[len(NUMBER_PREFIX):])
    if len(body) != GROUPS * GROUP_SIZE or any(ch not in ALPHABET for ch in body):
        return None
    return "-".join([NUMBER_PREFIX, *(body[i:i + GROUP_SIZE] for i in range(0, len(body), GROUP_SIZE))])


def valid_until(as_of: date) -> date:
    """The last day a report as of `as_of` is valid: 30 days, the as-of day being the first."""
    return as_of + timedelta(days=VALIDITY_DAYS - 1)


def is_valid(until: date, today: date) -> bool:
    """Whether a report valid until `until` is still valid on `today` (the Beijing date)."""
    return today <= until


def check_purpose(text: str | None) -> str | None:
    """The optional purpose line as printed after "用于：" (the tender or project): one line, no control or
    invisible characters, at most 100 characters; a "用于：" the visitor typed themselves is not printed twice;
    None when empty. Printed as typed (no NFKC: a tender's name keeps its full-width punctuation)."""
    purpose = (text or "").strip()
    for prefix in PURPOSE_PREFIXES:
        if purpose.startswith(prefix):
            purpose = purpose[len(prefix):].strip()
            break
    if not purpose:
        return None
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn") or ch in INVISIBLE
           for ch in purpose):
        raise RuleViolation("purpose", "用途不能包含换行或控制字符", "the purpose must be one line without control "
                                                                "characters")
    if len(purpose) > PURPOSE_MAX:
        raise RuleViolation("purpose", f"用途不能超过{PURPOSE_MAX}个字", f"the purpose has at most {PURPOSE_MAX} "
                                                                         "characters")
    return purpose


def canonical_json(content: dict) -> str:
    """The one serialisation of a report's content that its digest is taken of: keys sorted, no spaces, UTF-8
    text (not \\u escapes)."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_digest(canonical: str) -> str:
    """The SHA-256 of a canonical content, in hex."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# -- what changed since issue ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """One change in the public record since a report was issued: its kind and what it names."""

    kind: str  # new_penalty, new_ban, new_finding, new_review, new_project, publicity_ended, ban_ended,
    #            project_withdrawn, reviews_counted, projects_counted, rate_changed, no_longer_listed
    subject: str  # a decision number, a project's name and reference, a rate's name
    detail: str = ""  # a date, a figure


def _by(rows, *keys) -> dict:
    return {tuple(row.get(key) for key in keys): row for row in rows or []}


def changes_since(issued: dict, current: dict | None) -> list[Change]:
    """What the public record shows now that the issued content did not, and what it no longer shows, compared
    record by record (so the list is exact): `current` is today's content of the same subject, None when the
    subject is no longer listed at all."""
    if current is None:
        return [Change("no_longer_listed", issued.get("name", ""))]
    changes = []
    old_penalties = _by(issued.get("penalties"), "decision_number")
    new_penalties = _by(current.get("penalties"), "decision_number")
    for key, row in new_penalties.items():
        if key not in old_penalties:
            changes.append(Change("new_penalty", row["decision_number"], row.get("decided_on") or ""))
    for key, row in old_penalties.items():
        now = new_penalties.get(key)
        if not row.get("ban_only") and (now is None or now.get("ban_only")):
            changes.append(Change("publicity_ended", row["decision_number"], row.get("publicity_ends_on") or ""))
    old_bans = _by(issued.get("bans"), "decision_number")
    new_bans = _by(current.get("bans"), "decision_number")
    for key, row in new_bans.items():
        if key not in old_bans:
            changes.append(Change("new_ban", row["decision_number"], "lifetime" if row.get("lifetime")
                                  else row.get("until") or ""))
    for key, row in old_bans.items():
        if key not in new_bans:
            changes.append(Change("ban_ended", row["decision_number"], row.get("until") or ""))
    old_findings = _by(issued.get("findings"), "project_ref", "verified_on")
    for key, row in _by(current.get("findings"), "project_ref", "verified_on").items():
        if key not in old_findings:
            changes.append(Change("new_finding", _project_label(row), row.get("verified_on") or ""))
    changes += _listed_changes(issued, current, "reviews", "review_count", ("project_ref", "report_type", "round"))
    changes += _listed_changes(issued, current, "projects", "project_count", ("ref",))
    for rate in ("first_pass", "on_time"):
        before, after = issued.get(rate), current.get(rate)
        if before and after and (before.get("part"), before.get("total")) != (after.get("part"), after.get("total")):
            changes.append(Change("rate_changed", rate, f"{before.get('part')}/{before.get('total')} → "
                                                        f"{after.get('part')}/{after.get('total')}"))
    return changes


def _listed_changes(issued: dict, current: dict, rows: str, count: str, keys: tuple) -> list[Change]:
    """New and withdrawn reviews or projects: record by record when both reports list them all, else (a report
    lists the latest few of many) the change of their number."""
    before, after = issued.get(rows) or [], current.get(rows) or []
    total_before, total_after = issued.get(count, len(before)), current.get(count, len(after))
    if len(before) < total_before or len(after) < total_after:
        return [Change(f"{rows}_counted", "", f"{total_before} → {total_after}")] if total_before != total_after \
            else []
    old, new = _by(before, *keys), _by(after, *keys)
    added, gone = ("new_review", "review_withdrawn") if rows == "reviews" else ("new_project", "project_withdrawn")
    return [Change(added, _project_label(row), row.get("reviewed_on") or "") for key, row in new.items()
            if key not in old] + \
           [Change(gone, _project_label(row)) for key, row in old.items() if key not in new and rows == "projects"]


def _project_label(row: dict) -> str:
    name, ref = row.get("project_name") or row.get("name"), row.get("project_ref") or row.get("ref")
    return f"{name} ({ref})" if name and ref else name or ref or ""
