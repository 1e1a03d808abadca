"""GB/T 4754-2017 industry codes of a parcel's former use, matched by prefix (`C26` matches `C2614`)."""
from registry.reference import industries, industry_names_en
from registry.rules.errors import RuleViolation
from registry.rules.normalize import normalize_code


def validate_industry_code(value: str, field: str = "former_industry") -> str:
    """Return a code that exists in GB/T 4754-2017 (section, division, group or class) or raise."""
    code = normalize_code(value, field)
    if code not in industries():
        raise RuleViolation(field, "国民经济行业分类代码不存在", "no such GB/T 4754-2017 industry code")
    return code


def is_industry_class(code: str) -> bool:
    """True for a class (level 4, such as `C2631`), the finest level: a code only a class itself lies under."""
    entry = industries().get(code)
    return entry is not None and entry.level == 4


def industry_matches(prefix: str, code: str | None) -> bool:
    """True when a project's industry code lies under the searched prefix."""
    return bool(code) and code.startswith(prefix.upper())


def industry_name(code: str) -> str:
    """The Chinese name of an industry code, or the code itself when unknown."""
    entry = industries().get(code)
    return entry.name if entry else code


def industry_name_en(code: str) -> str:
    """The English name of an industry code: its own for a section or division, its division's for a group or
    class (the classification's English edition names only those two levels), or the code itself when unknown."""
    names = industry_names_en()
    if code not in industries():
        return code
    return names.get(code) or names.get(code[:3], code)
