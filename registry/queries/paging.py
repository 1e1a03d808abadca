"""One page of a list: the type every list query returns and the one macro (`templates/_pagination.html`) draws."""
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from registry.extensions import db


@dataclass
class Page:
    """One page of a list; `total_is_exact` is False when a text search stopped early: `total` is then a lower
    bound (the matches it found, at least one past this page)."""

    items: list
    total: int
    page: int
    per_page: int
    total_is_exact: bool = True
    estimate: int | None = None  # about how many the list holds, where `total` is only a lower bound

    @property
    def total_relation(self) -> str:
        """How `total` relates to the true count, as the API says it: "eq" (exact) or "gte" (a lower bound)."""
        return "eq" if self.total_is_exact else "gte"

    @property
    def past_end(self) -> bool:
        """True when the page asked for lies beyond the last page of a non-empty list."""
        return not self.items and self.total > 0 and self.page > self.pages

    @property
    def pages(self) -> int:
        """How many pages the list has (at least one)."""
        return page_count(self.total, self.per_page)

    @property
    def has_prev(self) -> bool:
        """True when there is a page before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """True when there is a page after this one."""
        return self.page * self.per_page < self.total


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` rows fill (at least one, for an empty list)."""
    return max(1, -(-total // per_page))


def offset(page: int, per_page: int) -> int:
    """How many rows come before page `page` (counted from 1)."""
    return (page - 1) * per_page


def paginate(statement: Select, page: int, per_page: int) -> Page:
    """One page of the ORM rows a select returns, with the total it would return (a page past the end is
    empty, never an error)."""
    page = max(page, 1)
    total = count_rows(statement)
    items = list(db.session.execute(statement.limit(per_page).offset(offset(page, per_page))).unique().scalars())
    return Page(items, total, page, per_page)


def count_rows(statement: Select) -> int:
    """How many rows a select returns: the `total` of its pages."""
    return db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))


def count_rows_up_to(statement: Select, most: int) -> tuple[int, bool]:
    """How many rows a select returns, counting no further than `most`; and whether that is the exact count (a
    list's `total`, a lower bound when it is not)."""
    counted = db.session.scalar(select(func.count()).select_from(statement.order_by(None).limit(most).subquery()))
    return counted, counted < most


def page_with_total(statement: Select, page: int, per_page: int) -> tuple[list, int]:
    """The rows of one page of an ordered select and how many rows it returns in all, in one statement where
    the page has rows (a window count beside them: the matches are grouped and sorted once, not once for the
    count and again for the page); a page past the end counts them apart."""
    rows = db.session.execute(statement.add_columns(func.count().over().label("page_total"))
                              .limit(per_page).offset(offset(page, per_page))).all()
    if rows:
        return [tuple(row)[:-1] for row in rows], rows[0].page_total
    return [], count_rows(statement)

