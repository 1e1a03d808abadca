"""The search documents, built from the database: only public, masked text ever reaches the index.

One document per publicly listed firm (its names and former names, its credit code, its address when its
basic information is public, and the names, parcels and owners of up to 100 recent public projects) and one
per publicly listed person (the name; the masked ID number is stored for display, never searchable).
Documents come in ranking order (firms by activity, then persons), and each carries its rank: a number made from
the public record alone (a firm's public projects, then its id; a person's id), so a document re-indexed after any
change (a penalty, a finding, a new name) keeps its place among the documents that tie with it.
"""
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from registry.models import Person, Project, Unit, UnitCategory, UnitVersion
from registry.models.project import recency
from registry.visibility import person_listed, project_public, unit_basic_public, unit_listed

FOLDED_PROJECTS = 100
BATCH = 500
RANK_STEP = 2 ** 32  # a rank is -(public projects) x RANK_STEP + id: ids stay below it, and ranks fit a BIGINT


@dataclass(frozen=True)
class SearchDocument:
    """What the index may hold about one firm or person."""

    record_type: str  # "unit" or "person"
    record_id: int
    names: list[str]
    folded: list[str] = field(default_factory=list)
    uscc: str | None = None
    masked_id: str | None = None
    rank: int = 0  # ascending: the order of documents that match a query equally well (see ranked_unit_ids)
    # a firm whose basic information is public: its province and practice categories, which a search may be
    # restricted to (`Scope`); none for any other firm, whom a search by province or category never finds
    province: str | None = None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scope:
    """A firm search's restriction to a province, a practice category, or both: basic information, so only firms
    whose basic information is public are in a scope (the filters of `registry.queries.search`)."""

    province: str | None = None
    category: str | None = None

    def words(self) -> list[str]:
        """The words a firm's document holds for this scope (`scope_words`), every one of which it must hold."""
        return scope_words(self.province, [self.category] if self.category else [])


def scope_words(province: str | None, categories: Iterable[str] = ()) -> list[str]:
    """A firm's scope as the indexes hold it: its province, then each of its practice categories (a document holds
    them only where the firm's basic information is public)."""
    return ([f"province={province}"] if province else []) + [f"category={category}" for category in categories]


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start:start + BATCH]


def ranked_unit_ids(session, today: date, only: Iterable[int] | None = None) -> list[tuple[int, int]]:
    """Listed firms with their ranks, most active first (public projects), then by id: the rank depends on
    nothing but these two, never on when the firm's document was last written."""
    only = None if only is None else list(only)
    activity = select(Project.unit_id, func.count().label("n")).join(Unit, Unit.id == Project.unit_id) \
        .where(project_public())
    if only is not None:  # the given firms' projects alone (counting every firm's: 260 ms national, PostgreSQL)
        activity = activity.where(Project.unit_id.in_(only))
    activity = activity.group_by(Project.unit_id).subquery()
    projects = func.coalesce(activity.c.n, 0)
    query = (
        select(Unit.id, projects)
        .outerjoin(activity, activity.c.unit_id == Unit.id)
        .where(unit_listed(today))
        .order_by(projects.desc(), Unit.id)
    )
    if only is not None:
        query = query.where(Unit.id.in_(only))
    return [(unit_id, unit_id - count * RANK_STEP) for unit_id, count in session.execute(query)]


def ranked_person_ids(session, today: date, only: Iterable[int] | None = None) -> list[tuple[int, int]]:
    """Listed persons with their ranks: in id order."""
    query = select(Person.id).where(person_listed(today)).order_by(Person.id)
    if only is not None:
        query = query.where(Person.id.in_(list(only)))
    return [(person_id, person_id) for person_id in session.scalars(query)]


def unit_documents(session, ranked: list[tuple[int, int]]) -> Iterator[SearchDocument]:
    """Documents for listed firms, in the order of `ranked` (id, rank) (the caller has checked they are listed)."""
    ranks = dict(ranked)
    for chunk in _chunks([unit_id for unit_id, _ in ranked]):
        units = {
            row.id: row
            for row in session.execute(
                select(Unit.id, Unit.name, Unit.uscc, Unit.address, Unit.division_code,
                       unit_basic_public().label("basic"))
                .where(Unit.id.in_(chunk))
            )
        }
        categories: dict[int, list[str]] = defaultdict(list)
        for unit_id, category in session.execute(select(UnitCategory.unit_id, UnitCategory.category)
                                                 .where(UnitCategory.unit_id.in_(chunk))
                                                 .order_by(UnitCategory.unit_id, UnitCategory.category)):
            categories[unit_id].append(category)
        former: dict[int, list[str]] = defaultdict(list)
        for unit_id, data in session.execute(
            select(UnitVersion.unit_id, UnitVersion.data).where(UnitVersion.unit_id.in_(chunk))
        ):
            name = (data or {}).get("name")
            if name and units[unit_id].basic and name not in former[unit_id]:
                former[unit_id].append(name)
        recent = (
            select(
                Project.unit_id, Project.name, Project.parcel_name, Project.owner,
                func.row_number().over(
                    partition_by=Project.unit_id,
                    order_by=(recency().desc(), Project.id.desc()),
                ).label("rank"),
            )
            .join(Unit, Unit.id == Project.unit_id)
            .where(project_public(), Project.unit_id.in_(chunk))
            .subquery()
        )
        folded: dict[int, list[str]] = defaultdict(list)
        for row in session.execute(select(recent).where(recent.c.rank <= FOLDED_PROJECTS)):
            folded[row.unit_id].extend(text for text in (row.name, row.parcel_name, row.owner) if text)
        for unit_id in chunk:
            unit = units.get(unit_id)
            if unit is None:
                continue
            texts = ([unit.address] if unit.basic and unit.address else []) + folded[unit_id]
            names = [unit.name] + [name for name in former[unit_id] if name != unit.name]
            scope = {"province": unit.division_code[:2], "categories": tuple(categories[unit_id])} \
                if unit.basic and unit.division_code else {}
            yield SearchDocument("unit", unit_id, names, texts, uscc=unit.uscc, rank=ranks[unit_id], **scope)


def person_documents(session, ranked: list[tuple[int, int]]) -> Iterator[SearchDocument]:
    """Documents for listed persons: the name, and the masked ID number stored for display only."""
    ranks = dict(ranked)
    for chunk in _chunks([person_id for person_id, _ in ranked]):
        rows = {row.id: row for row in session.execute(
            select(Person.id, Person.name, Person.id_number_masked).where(Person.id.in_(chunk))
        )}
        for person_id in chunk:
            row = rows.get(person_id)
            if row is not None:
                yield SearchDocument("person", person_id, [row.name], masked_id=row.id_number_masked,
                                     rank=ranks[person_id])


def all_documents(session, today: date) -> Iterator[SearchDocument]:
    """Every document of a full rebuild, in ranking order: firms by activity, then persons."""
    yield from unit_documents(session, ranked_unit_ids(session, today))
    yield from person_documents(session, ranked_person_ids(session, today))


def documents_for(session, today: date, record_type: str, record_ids: list[int]) -> tuple[list[SearchDocument], list[int]]:
    """Fresh documents for the given records, and the ids that are no longer listed (to remove)."""
    if record_type == "unit":
        listed = ranked_unit_ids(session, today, record_ids)
        documents = list(unit_documents(session, listed))
    else:
        listed = ranked_person_ids(session, today, record_ids)
        documents = list(person_documents(session, listed))
    return documents, sorted(set(record_ids) - {record_id for record_id, _ in listed})
