"""each project holds its firm's province (`project.firm_province`, the first two digits of the firm's division
code, `rules.divisions.province_of`), kept by the database, and an index of parcels by former industry, then that
province (ix_project_parcel_firm_place). A parcel search for a class among one province's firms (the API's and the
search page's `province` with an industry class) probed each of the province's firms through ix_project_unit_parcel:
5,826 probes for C2521 among Jiangsu's firms, national scale, 16-25 ms of statement on PostgreSQL; it now reads the
class's 4,821 projects of those firms from the new index alone (registry/queries/search.py `_among_firm_province`).

Triggers keep it, on both databases, for every path that writes (a service, the import, a correction):
- a new project without it takes its firm's (the import gives its new projects theirs itself: a trigger for each
  of a national batch's 10,000 projects would cost the database's share of the import);
- a project moved to another firm takes that firm's;
- a firm whose division changes province moves its projects with it.

Filled here from the records. tests/test_foundation.py checks that every project holds its firm's province.

Revision ID: 0036
Revises: 0035
"""
import sqlalchemy as sa
from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

FILL = {
    "postgresql": "UPDATE project SET firm_province = left(unit.division_code, 2) FROM unit "
                  "WHERE unit.id = project.unit_id",
    "sqlite": "UPDATE project SET firm_province = (SELECT substr(unit.division_code, 1, 2) FROM unit "
              "WHERE unit.id = project.unit_id)",
}

# SQLite changes no row in a BEFORE trigger: the row written is written again
SQLITE_TRIGGERS = {
    "project_firm_province_new": "AFTER INSERT ON project WHEN new.firm_province IS NULL BEGIN "
                                 "UPDATE project SET firm_province = (SELECT substr(division_code, 1, 2) FROM unit "
                                 "WHERE unit.id = new.unit_id) WHERE id = new.id; END",
    "project_firm_province_moved": "AFTER UPDATE OF unit_id ON project BEGIN "
                                   "UPDATE project SET firm_province = (SELECT substr(division_code, 1, 2) FROM unit "
                                   "WHERE unit.id = new.unit_id) WHERE id = new.id; END",
    "unit_province_to_projects": "AFTER UPDATE OF division_code ON unit "
                                 "WHEN substr(old.division_code, 1, 2) IS NOT substr(new.division_code, 1, 2) BEGIN "
                                 "UPDATE project SET firm_province = substr(new.division_code, 1, 2) "
                                 "WHERE unit_id = new.id; END",
}

POSTGRESQL_FUNCTIONS = {
    "project_firm_province": "BEGIN NEW.firm_province := (SELECT left(division_code, 2) FROM unit "
                             "WHERE unit.id = NEW.unit_id); RETURN NEW; END",
    "unit_province_to_projects": "BEGIN UPDATE project SET firm_province = left(NEW.division_code, 2) "
                                 "WHERE unit_id = NEW.id; RETURN NULL; END",
}
POSTGRESQL_TRIGGERS = {
    "project_firm_province_new": "BEFORE INSERT ON project FOR EACH ROW WHEN (NEW.firm_province IS NULL) "
                                 "EXECUTE FUNCTION project_firm_province()",
    "project_firm_province_moved": "BEFORE UPDATE OF unit_id ON project FOR EACH ROW "
                                   "WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id) "
                                   "EXECUTE FUNCTION project_firm_province()",
    "unit_province_to_projects": "AFTER UPDATE OF division_code ON unit FOR EACH ROW "
                                 "WHEN (left(OLD.division_code, 2) IS DISTINCT FROM left(NEW.division_code, 2)) "
                                 "EXECUTE FUNCTION unit_province_to_projects()",
}
TRIGGER_TABLES = {"project_firm_province_new": "project", "project_firm_province_moved": "project",
                  "unit_province_to_projects": "unit"}


def upgrade():
    dialect = op.get_bind().dialect.name
    op.add_column("project", sa.Column("firm_province", sa.String(length=2), nullable=True))
    op.execute(FILL[dialect])
    op.create_index("ix_project_parcel_firm_place", "project",
                    ["former_industry", "firm_province", "unit_id", "area_m2", "non_disclosure_reason"])
    # the SQL is this file's own constants: nothing from outside reaches it
    if dialect == "sqlite":
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
        return
    for name, body in POSTGRESQL_FUNCTIONS.items():
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ {body} $$")
    for name, body in POSTGRESQL_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade():
    dialect = op.get_bind().dialect.name
    for name, table in TRIGGER_TABLES.items():
        op.execute(f"DROP TRIGGER {name}" if dialect == "sqlite" else f"DROP TRIGGER {name} ON {table}")
    if dialect == "postgresql":
        for name in POSTGRESQL_FUNCTIONS:
            op.execute(f"DROP FUNCTION {name}()")
    op.drop_index("ix_project_parcel_firm_place", table_name="project")
    op.drop_column("project", "firm_province")
