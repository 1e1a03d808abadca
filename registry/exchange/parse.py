"""Parsing the exchange format (DESIGN §5): each line's JSON and structure, checked by its marshmallow schema.

Nothing here knows the database: references and the registry's rules are the importer's (importer.py).
"""
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from marshmallow import ValidationError

from registry.schemas.exchange import KIND_ORDER, SCHEMAS, first_error, message_zh


class ExchangeError(Exception):
    """A bad line: its number, the field, and the reason in Chinese and English. Nothing was written."""

    def __init__(self, line: int, field: str, message_zh: str, message_en: str):
        super().__init__(f"line {line}, field {field}: {message_en}")
        self.line, self.field, self.message_zh, self.message_en = line, field, message_zh, message_en

    def describe(self) -> str:
        """The refusal in both languages, as the command and the import page show it."""
        return (f"第 {self.line} 行，字段 {self.field}：{self.message_zh}\n"
                f"line {self.line}, field {self.field}: {self.message_en}")


@dataclass
class Line:
    number: int
    kind: str
    data: dict


def parse_lines(lines: Iterable[str], progress: Callable[[int], None] | None = None) -> list[Line]:
    """Check each line's JSON and structure; raise ExchangeError at the first bad one."""
    parsed = []
    for number, raw in enumerate(lines, start=1):
        if progress:
            progress(1)
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError:
            raise ExchangeError(number, "line", "不是有效的 JSON", "not valid JSON") from None
        if not isinstance(obj, dict):
            raise ExchangeError(number, "line", "每行应为一个 JSON 对象", "each line is one JSON object")
        # A NUL or a lone surrogate can only arrive as a \u escape (or undecodable text): look only then.
        unstorable = _unstorable_text(obj) if "\\u" in raw or not _encodes(raw) else None
        if unstorable is not None:
            raise ExchangeError(number, unstorable, "含有 NUL 字符或无效的 Unicode 代理字符",
                                "contains a NUL character or an unpaired Unicode surrogate")
        kind = obj.get("kind")
        if not isinstance(kind, str) or kind not in SCHEMAS:
            raise ExchangeError(number, "kind", "未知的记录类型", f"unknown kind (one of {', '.join(KIND_ORDER)})")
        try:
            data = SCHEMAS[kind].load(obj)
        except ValidationError as error:
            path, message = first_error(error.messages)
            raise ExchangeError(number, path, message_zh(message), message) from None
        parsed.append(Line(number, kind, data))
    return parsed


def _unstorable_text(value, path: str = "") -> str | None:
    """The path of the first key or string no database can store as text (a NUL, or a lone surrogate such as
    the JSON escape \\ud800, which UTF-8 cannot encode), or None."""
    if isinstance(value, str):
        return path or "line" if "\x00" in value or not _encodes(value) else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        where = f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and _unstorable_text(key) is not None:
            return path or "line"  # the key itself cannot be shown: name the object holding it
        found = _unstorable_text(item, where)
        if found is not None:
            return found
    return None


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
