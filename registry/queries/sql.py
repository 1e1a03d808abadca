"""SQL idioms the reads share, written once: text matched literally (LIKE with `%` and `_` escaped) and the
filters on a project's parcel."""
from decimal import Decimal

from sqlalchemy import or_

from registry.models import Project

ESCAPE = "\\"


def escape_like(text: str) -> str:
    """The text as a LIKE pattern that matches it literally: `%`, `_` and the escape character are escaped."""
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def contains(column, text: str):
    """A SQL clause: the column holds the text, literally, anywhere."""
    return column.like("%" + escape_like(text) + "%", escape=ESCAPE)


def starts_with(column, text: str):
    """A SQL clause: the column begins with the text, literally (a code and its subdivisions)."""
    return column.like(escape_like(text) + "%", escape=ESCAPE)


def contains_in_any(columns, text: str):
    """A SQL clause: one of the columns holds the text, literally."""
    return or_(*(contains(column, text) for column in columns))


def parcel_conditions(industry: str | None = None, min_area: Decimal | None = None,
                      max_area: Decimal | None = None, province: str | None = None) -> list:
    """SQL clauses on a project's parcel: its former industry (a national-economy code or its prefix), its
    area range in m², the province (or any division prefix) where it lies. Unset filters add nothing."""
    conditions = []
    if industry:
        conditions.append(starts_with(Project.former_industry, industry.upper()))
    if min_area is not None:
        conditions.append(Project.area_m2 >= min_area)
    if max_area is not None:
        conditions.append(Project.area_m2 <= max_area)
    if province:
        conditions.append(starts_with(Project.division_code, province))
    return conditions
