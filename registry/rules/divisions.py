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


def _local_name(code: str) -> str:
    parts = numdb.get("cn/loc").info(code)
    name = parts[-1][1].get("county", "") if len(parts) > 1 else ""
    return name.split("]")[-1]  # entries carry their years: "[1983-]市南区"


@cache
def division_name(code: str) -> str:
    """The division's Chinese name: province, city and county (`370202` → 山东省青岛市市南区)."""
    province = PROVINCES.get(code[:2])
    if province is None:
        return code
    names = [province.zh]
    if code[2:4] != "00":
        city = _local_name(code[:4] + "00")
        if city and city not in names and city not in ("市辖区", "县", "省直辖县级行政区划", "省直辖县级行政单位"):
            names.append(city)
    if code[4:] != "00":
        county = _local_name(code)
        if county and county not in names:
            names.append(county)
    return "".join(names)


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
