"""The subject's voice: a statement (当事人说明) a firm or person attaches to a public record about itself, and
the grounds of a request to correct an authority's record. One rule each, used by the forms' services and by any
other path that writes them."""
import re
import unicodedata

from registry.rules.errors import RuleViolation
from registry.rules.normalize import check_visible

# The records a subject may speak to: a review outcome and a verified false-performance finding about a firm's
# project, and a penalty decided on the firm or the person.
RECORD_TYPES = ("review", "penalty", "finding")
STATEMENT_MAX = 500
GROUNDS_MIN, GROUNDS_MAX = 10, 2000
REASON_MAX = 1000

# Line breaks and tabs are kept; any other control character is refused (it would be invisible on the page).
ALLOWED_CONTROLS = frozenset("\n\t")
# 17 digits and a digit or X, not inside a longer run of letters or digits (full-width digits count: NFKC first)
FULL_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def _plain_text(value, field: str) -> str:
    """The text with line endings made `\\n` and surrounding blanks dropped; RuleViolation when it holds an
    invisible or control character."""
    text = check_visible(str(value or "").replace("\r\n", "\n").replace("\r", "\n"), field).strip()
    if any((ord(c) < 32 or 0x7f <= ord(c) < 0xa0) and c not in ALLOWED_CONTROLS for c in text):
        raise RuleViolation(field, "不能包含控制字符", "must not contain control characters")
    # a statement is public and grounds go to the audit trail: a full ID number reaches neither
    if FULL_ID_NUMBER.search(unicodedata.normalize("NFKC", text)):
        raise RuleViolation(field, "不能包含完整的身份证号码", "must not contain a full ID number")
    return text


def check_statement(value) -> str:
    """A subject's statement as stored: at most 500 characters, not empty, no invisible or control characters."""
    text = _plain_text(value, "text")
    if not text:
        raise RuleViolation("text", "请填写说明内容", "write the statement")
    if len(text) > STATEMENT_MAX:
        raise RuleViolation("text", f"说明不能超过{STATEMENT_MAX}个字（现有{len(text)}个字）",
                            f"the statement is at most {STATEMENT_MAX} characters (it has {len(text)})")
    return text


def check_grounds(value) -> str:
    """The grounds of a correction request: required, 10 to 2,000 characters."""
    text = _plain_text(value, "grounds")
    if len(text) < GROUNDS_MIN:
        raise RuleViolation("grounds", f"请写明申请更正的理由和依据（至少{GROUNDS_MIN}个字）",
                            f"give the grounds for the correction (at least {GROUNDS_MIN} characters)")
    if len(text) > GROUNDS_MAX:
        raise RuleViolation("grounds", f"理由不能超过{GROUNDS_MAX}个字", f"the grounds are at most {GROUNDS_MAX:,} characters")
    return text


def check_refusal_reason(value) -> str:
    """The reason a regulator gives for refusing a correction (the requester reads it): required, at most 1,000
    characters."""
    text = _plain_text(value, "note")
    if not text:
        raise RuleViolation("note", "不予更正时请说明理由", "say why the correction is refused")
    if len(text) > REASON_MAX:
        raise RuleViolation("note", f"说明不能超过{REASON_MAX}个字", f"the note is at most {REASON_MAX:,} characters")
    return text
