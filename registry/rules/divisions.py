"""Administrative division codes (GB/T 2260): six digits whose first two name a province.

Names come from python-stdnum's `cn/loc` table, which keeps historical codes too: a firm registered
under a county code that has since been merged still validates and still has its name.
"""
from functools import cache

from stdnum import numdb

from registry.reference import PROVINCES
from registry.rules.errors import RuleViolation


def validate_division_code(value: str, field: str = "division_code") -> str:
    """Return the six-digit code or raise RuleViolation: six digits, known province."""
    code = str(value).strip()
    if len(code) != 6 or not code.isdigit():
        raise RuleViolation(field, "行政区划代码应为6位数字", "a division code has six digits")
    if code[:2] not in PROVINCES:
        raise RuleViolation(field, "行政区划代码的省级代码不存在", "the division code names no known province")
    return code


def province_of(code: str) -> str:
    """The two-digit province code of a division code."""
    return code[:2]


@cache
def division_name(code: str) -> str:
    """The division's Chinese name (province, then city or county), or the province alone if unknown."""
    province = PROVINCES.get(code[:2])
    if province is None:
        return code
    parts = numdb.get("cn/loc").info(code)
    name = parts[-1][1].get("county", "") if len(parts) > 1 else ""
    name = name.split("]")[-1]  # entries carry their years: "[1983-]市南区"
    if not name or name == province.zh:
        return province.zh
    return province.zh + name


def jurisdiction_prefix(code: str) -> str:
    """The prefix a jurisdiction covers: `370000` → `37`, `370200` → `3702`, `370202` → `370202`."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def within_jurisdiction(jurisdiction_code: str, division_code: str | None) -> bool:
    """True when a division lies inside a regulator's province, city or county."""
    return bool(division_code) and division_code.startswith(jurisdiction_prefix(jurisdiction_code))
