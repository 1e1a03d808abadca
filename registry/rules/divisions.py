"""Administrative division codes (GB/T 2260): six digits whose first two name a province.

Names come from python-stdnum's `cn/loc` table, which keeps historical codes too: a firm registered
under a county code that has since been merged still validates and still has its name.
"""
import re
from functools import cache
from importlib import resources
from typing import NamedTuple

from stdnum import numdb

from registry.reference import PROVINCES
from registry.rules.errors import RuleViolation
from registry.rules.normalize import normalize_code

# One period of a name in cn/loc: "[1983-1999]郊区" (ended), "[2000-]滨湖区" or "南京市" (current).
_PERIOD = re.compile(r"(?:\[(\d*)-(\d*)\])?([^,]+)")
_PLACEHOLDERS = ("市辖区", "县", "省直辖县级行政区划", "省直辖县级行政单位", "自治区直辖县级行政区划")


class County(NamedTuple):
    """A county-level division that exists today, with the names of its province and city."""

    code: str
    name: str
    province: str
    city: str


@cache
def _current_names() -> dict[str, str]:
    """Every division code that exists today (no end year in cn/loc) with its current name."""
    names: dict[str, str] = {}
    province = ""
    for line in (resources.files("stdnum.cn") / "loc.dat").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, _, rest = line.strip().partition(" ")
        value = rest.split("=", 1)[1].strip('"')
        if not line.startswith(" "):
            province = code
            continue
        for _start, end, name in _PERIOD.findall(value):
            if not end:
                names[province + code] = name.strip()
    return names


@cache
def current_counties() -> tuple[County, ...]:
    """The county-level divisions of today, in code order: counties and districts, and the cities that have
    no counties (东莞市 441900); never a placeholder such as 市辖区."""
    names = _current_names()
    cities_with_counties = {code[:4] for code, name in names.items()
                            if code[4:] != "00" and name not in _PLACEHOLDERS}
    counties = []
    for code, name in sorted(names.items()):
        if name in _PLACEHOLDERS or code[2:] == "0000":
            continue
        if code[4:] == "00" and code[:4] in cities_with_counties:
            continue
        province = PROVINCES[code[:2]].zh if code[:2] in PROVINCES else names.get(code[:2] + "0000", "")
        city = names.get(code[:4] + "00", "") if code[4:] != "00" else name
        counties.append(County(code, name, province, city))
    return tuple(counties)


@cache
def _county_codes() -> frozenset[str]:
    return frozenset(county.code for county in current_counties())


@cache
def current_cities() -> dict[str, str]:
    """Prefecture-level divisions of today (`320500` → 苏州市), without placeholders such as 市辖区."""
    return {code: name for code, name in _current_names().items()
            if code[4:] == "00" and code[2:] != "0000" and name not in _PLACEHOLDERS}


def validate_division_code(value: str, field: str = "division_code") -> str:
    """Return the six-digit code of a division that exists today (province, city or county), or raise
    RuleViolation: a regulator's jurisdiction may be a whole province or city."""
    code = normalize_code(value, field)
    if len(code) != 6 or not code.isdigit():
        raise RuleViolation(field, "行政区划代码应为6位数字", "a division code has six digits")
    if code[:2] not in PROVINCES:
        raise RuleViolation(field, "行政区划代码的省级代码不存在", "the division code names no known province")
    if code not in _current_names() and code not in _county_codes():
        raise RuleViolation(field, "该行政区划代码不存在", "no division has this code")
    return code


def validate_county_code(value: str, field: str = "division_code", *, city_allowed: bool = False) -> str:
    """Return the code of a county-level division that exists today (python-stdnum's cn/loc), or raise
    RuleViolation: a project's parcel lies in a county, never in a whole city or province (`320000` and
    `329999` are refused). A firm may be registered with a city (`city_allowed`): characters 3–8 of its credit
    code name the registering authority, which may be a city's."""
    code = validate_division_code(value, field)
    if code not in _county_codes() and not (city_allowed and code in current_cities()):
        raise RuleViolation(field, "请选择县级行政区划（区、县、县级市），不能只填省或市",
                            "choose a county-level division (district, county or county-level city), not a "
                            "whole province or city")
    return code


def suggested_division(uscc: str | None) -> str | None:
    """Characters 3–8 of a credit code, when they name a division a firm may choose (county or city)."""
    try:
        code = normalize_code(uscc, "uscc")[2:8]
    except RuleViolation:
        return None
    return code if code in _county_codes() or code in current_cities() else None


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
