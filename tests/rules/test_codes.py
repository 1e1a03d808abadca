"""Division codes, GB/T 4754-2017 industries, jurisdictions, password policy; and rules stay pure."""
import ast
from pathlib import Path

import pytest

from registry.reference import industries
from registry.rules.divisions import division_name, jurisdiction_prefix, validate_division_code, within_jurisdiction
from registry.rules.errors import RuleViolation
from registry.rules.industries import industry_matches, validate_industry_code
from registry.rules.passwords import check_password_policy


def test_division_codes():
    assert validate_division_code("370202") == "370202"
    for bad in ("37020", "3702021", "99abcd", "990102"):
        with pytest.raises(RuleViolation):
            validate_division_code(bad)
    assert division_name("370202") == "山东省青岛市市南区"
    assert division_name("370000") == "山东省"
    assert division_name("340100") == "安徽省合肥市"


def test_jurisdictions_by_level():
    assert jurisdiction_prefix("370000") == "37"
    assert jurisdiction_prefix("370200") == "3702"
    assert jurisdiction_prefix("370202") == "370202"
    assert within_jurisdiction("370000", "370211")
    assert within_jurisdiction("370200", "370211")
    assert not within_jurisdiction("370200", "370100")
    assert not within_jurisdiction("340000", "370211")
    assert not within_jurisdiction("370000", None)


def test_industry_codes_from_the_standard():
    table = industries()
    assert sum(1 for i in table.values() if i.level == 1) == 20
    assert sum(1 for i in table.values() if i.level == 2) == 97
    assert validate_industry_code("c2614") == "C2614"
    assert validate_industry_code("C26") == "C26"
    with pytest.raises(RuleViolation):
        validate_industry_code("C9999")
    assert industry_matches("C26", "C2614") and not industry_matches("C25", "C2614")


def test_password_policy():
    check_password_policy("a long enough passphrase")
    with pytest.raises(RuleViolation):
        check_password_policy("short")
    with pytest.raises(RuleViolation):
        check_password_policy("password1234")


def test_rules_import_neither_flask_nor_sqlalchemy():
    rules = Path(__file__).resolve().parents[2] / "registry" / "rules"
    for path in rules.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert not name.startswith(("flask", "sqlalchemy", "registry.models", "registry.services")), (path.name, name)
