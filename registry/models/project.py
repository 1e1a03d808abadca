"""Projects (业绩): performance a firm records, the people and roles on them, and earlier versions."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (JSON, CheckConstraint, Date, FetchedValue, ForeignKey, Index, Numeric, String, Text,
                        UniqueConstraint, func, literal_column)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, UtcDateTime, in_list, utcnow
from registry.models.requests import CORRECTION_STATUSES, CorrectionRequest
from registry.models.versions import RecordVersion
from registry.reference import CATEGORIES, ROLES


class Project(Base):
    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))  # indexed by ix_project_unit_parcel
    category: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300))
    parcel_name: Mapped[str | None] = mapped_column(String(300))
    division_code: Mapped[str] = mapped_column(String(6))  # indexed by ix_project_division_unit
    area_m2: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    owner: Mapped[str | None] = mapped_column(String(200))
    owner_uscc: Mapped[str | None] = mapped_column(String(18))
    former_industry: Mapped[str | None] = mapped_column(String(5))  # indexed by ix_project_parcel and _unit_parcel
    # the province of the project's firm (`rules.divisions.province_of` its division code), kept by the database
    # (migration 0036's triggers: on a new project without it, a project moved to another firm, a firm moved to
    # another province); the import gives it to its new projects itself. Derived: no version or audit event holds it
    firm_province: Mapped[str | None] = mapped_column(String(2), server_default=FetchedValue(),
                                                      server_onupdate=FetchedValue(), info={"derived": True})
    started_on: Mapped[date | None] = mapped_column(Date)
    contract_deadline: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    non_disclosure_reason: Mapped[str | None] = mapped_column(Text)
    non_disclosed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(default=1)
    # set when the competent regulator accepts a correction of a locked field: the public page says so
    corrected_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped["Unit"] = relationship()  # noqa: F821
    roles: Mapped[list["ProjectRole"]] = relationship(back_populates="project", order_by="ProjectRole.id")

    # what the database fills on a write (`firm_province`) is read back when asked for, not taken from RETURNING:
    # SQLite's RETURNING reports the row before its AFTER triggers, so a new project would hold None there
    __mapper_args__ = {"eager_defaults": False}

    __table_args__ = (
        CheckConstraint("area_m2 > 0", name="area_positive"),
        CheckConstraint(in_list("category", CATEGORIES), name="category_known"),
        CheckConstraint("started_on IS NULL OR completed_on IS NULL OR completed_on >= started_on", name="completed_after_start"),
        # what a review refers to (registry/models/review.py): a project and its firm together. An index, not a
        # constraint: SQLite adds a constraint only by copying the table, which its expression indexes do not survive
        Index("ix_project_id_unit_id", "id", "unit_id", unique=True),
    )



def recency():
    """A project's order among its firm's, most recent last: its completion, else its start (the search index folds
    in a firm's most recent public projects, and a hit's explanation reads the same ones)."""
    return func.coalesce(Project.completed_on, Project.started_on)


# a firm's projects by recency: its recent ones are read by walking this backwards (`LIMIT`), not by sorting all
Index("ix_project_recent", Project.unit_id, recency(), Project.id)


def completion_first():
    """The public project list's order, newest completion first and ongoing projects last: one expression both
    databases index (PostgreSQL's DESC would put the ongoing first, and SQLite indexes no NULLS LAST)."""
    return func.coalesce(Project.completed_on, literal_column("'0001-01-01'"))


def ongoing_first():
    """A firm's projects as its profile lists them, ongoing first, then the newest completion (descending): one
    expression both databases index (SQLite indexes no NULLS FIRST)."""
    return func.coalesce(Project.completed_on, literal_column("'9999-12-31'"))


# a firm's profile walks this backwards and stops at its page of 50, where all of a firm's projects were sorted
# (2,000: 2.4 ms on PostgreSQL, national scale; 0.12 ms this way)
Index("ix_project_firm_ongoing_first", Project.unit_id, ongoing_first(), Project.id)
# the public project list, walked in its order until a page is full: not every public project sorted (a million,
# national scale: 590 ms on PostgreSQL)
Index("ix_project_newest", completion_first().desc(), Project.id.desc())
# parcels by former industry, then firm, with what a parcel search checks (area, division, withholding): it reads
# no project row, and the projects of one class come in firm order, so they are counted by firm without a sort
Index("ix_project_parcel", Project.former_industry, Project.unit_id, Project.area_m2, Project.division_code,
      Project.non_disclosure_reason)
# parcels by former industry, then place: a parcel search within a province reads its share of the class alone
Index("ix_project_parcel_place", Project.former_industry, Project.division_code, Project.unit_id, Project.area_m2,
      Project.non_disclosure_reason)
# parcels by former industry, then the firm's province: a parcel search for a class among one province's firms
# reads the class's projects of those firms alone (C2521 among Jiangsu's firms, national scale: 4,821 entries, where
# each of the province's 5,826 firms was probed through ix_project_unit_parcel)
Index("ix_project_parcel_firm_place", Project.former_industry, Project.firm_province, Project.unit_id,
      Project.area_m2, Project.non_disclosure_reason)
# projects by division, with their firm: a jurisdiction's firms linked by their projects, from the index alone
Index("ix_project_division_unit", Project.division_code, Project.unit_id)
# a firm's projects, and its parcels with the same checks: a parcel search within a province counts each of its
# firms' matching projects from this alone
Index("ix_project_unit_parcel", Project.unit_id, Project.former_industry, Project.area_m2, Project.division_code,
      Project.non_disclosure_reason)


class ProjectRole(Base):
    """A person's role on a project (直接负责的主管人员 or 其他直接责任人员)."""

    __tablename__ = "project_role"

    id: Mapped[int] = mapped_column(primary_key=True)
    # looked up by project through the unique constraint's index, which leads with it
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[str] = mapped_column(String(40))

    project: Mapped[Project] = relationship(back_populates="roles")
    person: Mapped["Person"] = relationship()  # noqa: F821

    __table_args__ = (
        UniqueConstraint("project_id", "person_id", "role"),
        CheckConstraint(in_list("role", ROLES), name="role_known"),
    )


class ProjectVersion(RecordVersion, Base):
    """A project as it was before a correction."""

    __tablename__ = "project_version"
    record_key = "project_id"

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)

    __table_args__ = (UniqueConstraint("project_id", "version"),)


class ProjectCorrection(CorrectionRequest, Base):
    """A firm's request to change a locked field of its project (dates, location, responsible roles), which the
    competent regulator (where the project lies) accepts or refuses."""

    __tablename__ = "project_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    proposed: Mapped[dict] = mapped_column(JSON)  # the whole project as the firm wants it, people included
    reason: Mapped[str] = mapped_column(Text)

    project: Mapped[Project] = relationship()

    __table_args__ = (CheckConstraint(in_list("status", CORRECTION_STATUSES), name="status_known"),)
