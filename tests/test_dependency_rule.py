"""The dependency rule of DESIGN §4, read from the source: every module of registry/, public_portal/ and
migrations/ is parsed with `ast`, and each import (at the top or inside a function) is checked against the
rules below. An import that runs the wrong way fails the test, naming the importer, the imported name and the
rule. And the README's layout table names every part of registry/, and only paths that exist."""
import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("registry", "public_portal", "migrations")


@dataclass(frozen=True)
class Allowed:
    """An import a rule lets through, and why; only in `importer` (a module) when given."""

    name: str
    reason: str
    importer: str | None = None


@dataclass(frozen=True)
class Rule:
    """Modules under `importer` may not import anything under `forbidden`, except what `allowed` names."""

    name: str
    importer: str
    forbidden: tuple[str, ...]
    allowed: tuple[Allowed, ...] = ()

    def breaks(self, module: str, imported: str) -> bool:
        return (under(module, self.importer) and any(under(imported, prefix) for prefix in self.forbidden)
                and not any(under(imported, allowed.name) and allowed.importer in (None, module)
                            for allowed in self.allowed))


OPEN_DATA = "open data is the public export, a read"
BLUEPRINTS = ("registry.practitioner", "registry.regulator", "registry.auth", "public_portal")
USE_CASES = ("registry.services", "registry.exchange", "registry.queries", "registry.search")
RULES = (
    Rule("rules are pure: no Flask, no database, nothing of the app", "registry.rules",
         ("registry", "public_portal", "flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug", "wtforms"),
         (Allowed("registry.rules", "rules build on each other"),
          Allowed("registry.reference", "the code lists, as data: no Flask, no database"))),
    Rule("models import rules, not the layers above them", "registry.models",
         (*USE_CASES, "registry.access", "registry.visibility", *BLUEPRINTS)),
    Rule("access and visibility import models and rules, not the layers above them", "registry.access",
         (*USE_CASES, "registry.visibility", *BLUEPRINTS)),
    Rule("access and visibility import models and rules, not the layers above them", "registry.visibility",
         (*USE_CASES, "registry.access", *BLUEPRINTS)),
    Rule("services and the exchange format write: they do not import reads or pages", "registry.services",
         ("registry.queries", *BLUEPRINTS)),
    Rule("services and the exchange format write: they do not import reads or pages", "registry.exchange",
         ("registry.queries", *BLUEPRINTS)),
    Rule("queries never write: they do not import services", "registry.queries", ("registry.services",)),
    Rule("queries do not import the exchange format", "registry.queries",
         ("registry.exchange", "registry.services.exchange")),
    Rule("search reads through visibility, not queries", "registry.search", ("registry.queries",)),
    Rule("figures are derived from the data: they read through visibility, and import no reads, writes or pages",
         "registry.figures", ("registry.queries", "registry.services", "registry.exchange", *BLUEPRINTS)),
    Rule("search is derived from the data: it imports no writes and no pages", "registry.search",
         ("registry.services", "registry.exchange", *BLUEPRINTS)),
    Rule("public_portal reads only: no back-office forms or views, no write modules", "public_portal",
         ("registry.practitioner", "registry.regulator", "registry.auth", "registry.services", "registry.exchange"),
         (Allowed("registry.services.complaint_filing", "the public complaint form is the public site's one "
                                                        "write (DESIGN §4), and it goes through its service"),
          Allowed("registry.services.credit_reports", "issuing a credit report is the public site's other write "
                                                      "(DESIGN §10), through its service"),
          Allowed("registry.exchange.export", OPEN_DATA),
          Allowed("registry.exchange.export_jsonl", OPEN_DATA),
          Allowed("registry.exchange.opendata", "open data is the public export built into files; the portal serves "
                                                "them and starts a rebuild when they are older than the data"))),
    Rule("registry never imports public_portal", "registry", ("public_portal",),
         (Allowed("public_portal.register_portal", "the factory's register_blueprints() step mounts the public "
                                                   "site (DESIGN §4)", importer="registry.app"),)),
    Rule("migrations use only op and sa, never the app's modules", "migrations", ("registry", "public_portal")),
)


def under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(module: str, source: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, dotted name) of everything `module` imports: `import a.b` gives a.b; `from a.b import c` gives
    a.b.c (a submodule or a name of a.b: either way it is under a.b); relative imports are resolved."""
    package = module if is_package else module.rpartition(".")[0]
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join(part for part in (*anchor, base) if part)
            names.extend((node.lineno, f"{base}.{alias.name}" if alias.name != "*" else base)
                         for alias in node.names)
    return names


def violations(modules: dict[str, tuple[str, bool]]) -> list[str]:
    """Every import that breaks a rule, as "importer:line → imported (rule)", for modules given as
    name → (source, is_package)."""
    return [f"{module}:{line} → {name} ({rule.name})"
            for module, (source, is_package) in sorted(modules.items())
            for line, name in imported_names(module, source, is_package)
            for rule in RULES if rule.breaks(module, name)]


def project_modules() -> dict[str, tuple[str, bool]]:
    modules = {}
    for top in CHECKED:
        for path in sorted((ROOT / top).rglob("*.py")):
            modules[module_name(path, ROOT)] = (path.read_text(encoding="utf-8"), path.name == "__init__.py")
    return modules


def test_every_import_runs_the_way_the_design_allows():
    modules = project_modules()
    assert len(modules) > 100 and "registry.app" in modules and "public_portal.views" in modules  # it read them
    assert violations(modules) == []


@pytest.mark.parametrize("module, source, wrong", [
    ("registry.queries.practitioner", "from registry.services.audit import record_denial", True),
    ("registry.queries.practitioner", "def f():\n    from registry.services import projects\n", True),
    ("registry.queries.practitioner", "from ..services import audit", True),
    ("registry.queries.practitioner", "import registry.exchange.importer", True),
    ("registry.queries.practitioner", "from registry.visibility import unit_listed", False),
    ("registry.rules.dates", "from flask import current_app", True),
    ("registry.rules.dates", "from registry.models import Unit", True),
    ("registry.rules.dates", "from registry.reference import PROVINCES", False),
    ("registry.rules.dates", "from .errors import RuleViolation", False),
    ("registry.search.documents", "from registry.queries.public import unit_listed", True),
    ("registry.search.documents", "from registry.visibility import unit_listed", False),
    ("registry.models.unit", "from registry.services.audit import snapshot", True),
    ("registry.visibility", "from registry.queries.sql import starts_with", True),
    ("registry.access", "from registry.models import Account", False),
    ("registry.services.projects", "from registry.queries.practitioner import project_page", True),
    ("registry.exchange.importer", "from registry.services.projects import check_roles", False),
    ("public_portal.forms", "from registry.practitioner.forms import RedactingField", True),
    ("public_portal.views", "from registry.services.penalties import record_penalty", True),
    ("public_portal.views", "from registry.services.complaint_filing import file_complaint", False),
    ("public_portal.opendata", "from registry.exchange import export_jsonl", False),
    ("public_portal.opendata", "from registry.exchange import import_jsonl", True),
    ("registry.i18n", "from public_portal import register_portal", True),
    ("registry.app", "from public_portal import register_portal", False),
    ("registry.app", "from public_portal.views import bp", True),
    ("migrations.versions.0099_example", "from registry.reference import COMMITMENT_TEXT_V1", True),
    ("migrations.versions.0099_example", "import sqlalchemy as sa\nfrom alembic import op", False),
])
def test_the_checker_catches_an_import_that_runs_the_wrong_way(module, source, wrong):
    found = violations({module: (source, False)})
    assert bool(found) is wrong, found


def layout_paths() -> list[str]:
    """The paths the README's layout table names in its first column."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Layout\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    return [path for row in rows for path in re.findall(r"`([^`]+)`", row)]


def test_the_readme_layout_table_matches_the_tree():
    named = layout_paths()
    assert [path for path in named if "*" not in path and not (ROOT / path).exists()] == []
    unnamed = [f"registry/{child.name}" for child in sorted((ROOT / "registry").iterdir())
               if child.name not in ("__init__.py", "__pycache__", "translations")
               and f"registry/{child.name}{'/' if child.is_dir() else ''}" not in named]
    assert unnamed == []
