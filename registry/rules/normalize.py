"""What people type, made comparable: NFKC (full-width digits and letters become ASCII), surrounding spaces
dropped, thousands separators in numbers accepted, and no invisible characters in names, codes and usernames.

A right-to-left override or a zero-width space lets one name look like another on public pages and in the
audit trail, so such characters are refused, never silently removed.
"""
import re
import unicodedata

from registry.rules.errors import RuleViolation

# Bidirectional controls (Unicode's Bidi_Control property) and zero-width characters.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\u180e\ufeff")
INVISIBLE = BIDI_CONTROLS | ZERO_WIDTH
GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")  # 45,000 or 1,234,567.89


def check_visible(text: str, field: str) -> str:
    """The text unchanged, or RuleViolation when it holds a bidi control or a zero-width character."""
    if not INVISIBLE.isdisjoint(text):
        raise RuleViolation(field, "不能包含不可见的控制字符（如文字方向控制符、零宽字符）",
                            "must not contain invisible control characters (direction controls, zero-width "
                            "characters)")
    return text


def normalize_text(value, field: str) -> str:
    """A name or other text as stored: NFKC, without surrounding spaces, with no invisible characters."""
    return check_visible(unicodedata.normalize("NFKC", str(value or "")), field).strip()


def required_text(value: str | None, field: str, max_length: int, zh: str, en: str) -> str:
    """A normalized (NFKC, no invisible characters), non-empty text within its length, or RuleViolation
    naming the field."""
    text = normalize_text(value, field)
    if not text:
        raise RuleViolation(field, f"请填写{zh}", f"{en} is required")
    if len(text) > max_length:
        raise RuleViolation(field, f"{zh}不能超过{max_length}个字符", f"{en} has at most {max_length} characters")
    return text


def optional_text(value: str | None, field: str, max_length: int, zh: str, en: str) -> str | None:
    """A normalized text or None when empty; RuleViolation when too long or holding invisible characters."""
    text = normalize_text(value, field)
    if not text:
        return None
    return required_text(text, field, max_length, zh, en)


def normalize_code(value, field: str) -> str:
    """A code as stored: NFKC, upper case, without any spaces (`９１３２ ０５００…` → `913205 00…`)."""
    text = check_visible(unicodedata.normalize("NFKC", str(value or "")), field)
    return "".join(text.split()).upper()


def normalize_number(value, field: str) -> str:
    """A number as typed, ready for Decimal: NFKC, no spaces, thousands separators removed (`45,000`)."""
    text = normalize_code(value, field)
    return text.replace(",", "") if GROUPED.match(text) else text


def canonical_code(text: str) -> str:
    """A code as it is stored (`913205001km2u9al7q` → `913205001KM2U9AL7Q`), or the text unchanged when it
    holds invisible characters: an address written any way redirects to the one canonical address."""
    try:
        return normalize_code(text, "code")
    except RuleViolation:
        return text
