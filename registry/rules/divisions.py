"""Administrative division codes (GB/T 2260): six digits whose first two name a province.

Names come from python-stdnum's `cn/loc` table, which keeps historical codes too: a firm registered
under a county code that has since been merged still validates and still has its name.
"""
import json
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from stdnum import numdb

from registry.reference import ETHNIC_GROUPS, PROVINCES
from registry.rules.errors import RuleViolation
from registry.rules.normalize import normalize_code

# One period of a name in cn/loc: "[1983-1999]郊区" (ended), "[2000-]滨湖区" or "南京市" (current).
_PERIOD = re.compile(r"(?:\[(\d*)-(\d*)\])?([^,]+)")
_PLACEHOLDERS = ("市辖区", "县", "省直辖县级行政区划", "省直辖县级行政单位", "自治区直辖县级行政区划",
                 "自治区直辖县级行政单位")
# The level word that ends a division's name, longest first, and its English. A prefecture-level city is named
# bare ("Shenzhen"), as a province is; a county-level one keeps "City" (昆山市 → Kunshan City).
_LEVEL_WORDS = (("自治州", "Autonomous Prefecture"), ("自治县", "Autonomous County"), ("自治旗", "Autonomous Banner"),
                ("地区", "Prefecture"), ("新区", "New Area"), ("矿区", "Mining District"),
                ("特区", "Special District"), ("区", "District"), ("县", "County"), ("市", "City"), ("盟", "League"),
                ("旗", "Banner"))
# Names whose romanisation is not the characters' common reading, or whose English is not their pinyin; and
# whole names whose last characters only look like a level word (清新区 is a district, not a new area).
_ROMANISED = {"长子": "Zhangzi", "单": "Shan", "洪洞": "Hongtong", "涡阳": "Guoyang", "漯河": "Luohe", "南乐": "Nanle",
              "乌鲁木齐": "Urumqi", "拉萨": "Lhasa", "呼和浩特": "Hohhot", "哈尔滨": "Harbin", "陕西": "Shaanxi",
              "和田": "Hotan", "日喀则": "Xigaze", "喀什": "Kashgar", "科尔沁": "Horqin", "鄂尔多斯": "Ordos",
              "巴彦淖尔": "Bayannur", "阿拉善": "Alxa", "锡林郭勒": "Xilin Gol", "呼伦贝尔": "Hulunbuir"}
_WHOLE_NAMES = {"神农架林区": "Shennongjia Forestry District", "清新区": "Qingxin District", "矿区": "Mining District"}
# A banner's position words: 科尔沁右翼前旗 → Horqin Right Wing Front Banner.
_BANNER_WORDS = (("左翼", "Left Wing"), ("右翼", "Right Wing"), ("左", "Left"), ("右", "Right"), ("前", "Front"),
                 ("中", "Middle"), ("后", "Rear"))
# Characters that read one way in place names but are most often read another: 长春 Changchun, 朝阳 Chaoyang.
_PLACE_READINGS = {"长": "chang", "朝": "chao", "漯": "luo"}
# The pinyin of every name cn/loc holds, as romanise_by_pinyin gives it (pinyin_table() builds it;
# tests/rules/test_english_names.py checks it is current). A server reads this table instead of loading pypinyin,
# whose dictionaries cost each worker 56 MB.
PINYIN_TABLE = Path(__file__).resolve().parent.parent / "reference" / "place-pinyin.json"


class County(NamedTuple):
    """A county-level division that exists today, with the names of its province and city."""

    code: str
    name: str
    province: str
    city: str


def _loc_entries():
    """Each division of cn/loc below a province: its six-digit code and its names ("[1983-1999]郊区,[2000-]滨湖区")."""
    province = ""
    for line in (resources.files("stdnum.cn") / "loc.dat").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, _, rest = line.strip().partition(" ")
        if not line.startswith(" "):
            province = code
            continue
        yield province + code, rest.split("=", 1)[1].strip('"')


@cache
def _current_names() -> dict[str, str]:
    """Every division code that exists today (no end year in cn/loc) with its current name."""
    names: dict[str, str] = {}
    for code, value in _loc_entries():
        for _start, end, name in _PERIOD.findall(value):
            if not end:
                names[code] = name.strip()
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


def romanise(name: str) -> str:
    """A place name in pinyin, capitalised, with the apostrophe before a syllable that starts with a vowel
    (西安 → Xi'an); the names of _ROMANISED as they are usually written."""
    if name in _ROMANISED:
        return _ROMANISED[name]
    known = _stored_pinyin().get(name)
    return known if known is not None else romanise_by_pinyin(name)


def romanise_by_pinyin(name: str) -> str:
    """romanise() from pypinyin itself: for a name outside cn/loc, and to build the table."""
    from pypinyin import lazy_pinyin

    syllables = [_PLACE_READINGS.get(char, reading) for char, reading in zip(name, lazy_pinyin(name), strict=False)]
    if len(syllables) != len(name):  # a character pypinyin cannot split: read the whole name as it does
        syllables = lazy_pinyin(name)
    text = syllables[0] + "".join(("'" if s[:1] in "aoe" else "") + s for s in syllables[1:])
    return text[:1].upper() + text[1:]


@cache
def _stored_pinyin() -> dict[str, str]:
    return json.loads(PINYIN_TABLE.read_text(encoding="utf-8"))


def pinyin_table() -> dict[str, str]:
    """What PINYIN_TABLE holds: every name romanise() is asked for when every name of cn/loc is put into English
    (as a city and as a county), read by pypinyin. `python -m registry.rules.divisions` writes it."""
    asked: set[str] = set()

    def note(name: str) -> str:
        asked.add(name)
        return name

    for name in _all_names():
        for bare_city in (True, False):
            english_local_name(name, bare_city=bare_city, romaniser=note)
    return {name: romanise_by_pinyin(name) for name in sorted(asked - _ROMANISED.keys())}


def _all_names() -> set[str]:
    names = set()
    for _code, value in _loc_entries():
        names.update(name.strip() for _start, _end, name in _PERIOD.findall(value))
        names.add(value.split("]")[-1])
    return names


def _ethnic_groups(words: str, romaniser=romanise) -> tuple[str, list[str]]:
    """Split "延边朝鲜" + "族"… into the place (延边) and its peoples in English (Korean)."""
    parts = words.split("族")
    place, peoples = parts[0], []
    for ethnic in sorted(ETHNIC_GROUPS, key=len, reverse=True):
        if place.endswith(ethnic) and len(place) > len(ethnic):
            place, peoples = place[:-len(ethnic)], [ETHNIC_GROUPS[ethnic]]
            break
    peoples += [ETHNIC_GROUPS.get(part) or romaniser(part) for part in parts[1:] if part]
    return place, peoples


def english_local_name(name: str, *, bare_city: bool = False, romaniser=romanise) -> str:
    """One division's own name in English: 南山区 → Nanshan District, 延边朝鲜族自治州 → Yanbian Korean Autonomous
    Prefecture; a prefecture-level city bare (深圳市 → Shenzhen) when `bare_city`. (pinyin_table() passes a
    `romaniser` that notes the names it is given.)"""
    name = name.replace("區", "区").replace("縣", "县")  # a few historical entries are in traditional characters
    if name in _WHOLE_NAMES:
        return _WHOLE_NAMES[name]
    for word, english in _LEVEL_WORDS:
        stem = name[:-len(word)]
        if name.endswith(word) and stem:
            if word == "市" and bare_city:
                return romaniser(stem)
            qualifiers = []
            if word.startswith("自治") and "族" in stem:
                stem, qualifiers = _ethnic_groups(stem, romaniser)
            while word == "旗" and len(stem) > 2:  # the banner's position, read from the end
                position = next(((w, e) for w, e in _BANNER_WORDS if stem.endswith(w)), None)
                if position is None:
                    break
                stem, qualifiers = stem[:-len(position[0])], [position[1], *qualifiers]
            return " ".join([romaniser(stem), *qualifiers, english])
    return romaniser(name)


@cache
def division_name_en(code: str) -> str:
    """The division's English name, county first: `440305` → Nanshan District, Shenzhen, Guangdong; a municipality
    or SAR by its usual name (`110101` → Dongcheng District, Beijing)."""
    province = PROVINCES.get(code[:2])
    if province is None:
        return code
    names = [province.en]
    if code[2:4] != "00":
        city = _local_name(code[:4] + "00")
        if city and city not in _PLACEHOLDERS and city != province.zh:
            names.insert(0, english_local_name(city, bare_city=True))
    if code[4:] != "00":
        county = _local_name(code)
        if county and county not in _PLACEHOLDERS:
            english = english_local_name(county)
            if english not in names:
                names.insert(0, english)
    return ", ".join(names)


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


if __name__ == "__main__":  # rewrite the stored pinyin after a python-stdnum or pypinyin upgrade
    PINYIN_TABLE.write_text(json.dumps(pinyin_table(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
