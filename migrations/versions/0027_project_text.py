"""a trigram index of each project's reference, name, parcel and owner, so that a text search of the public
project list reads the few projects that can hold the text instead of every project (a rare word, national scale:
every one of a million read twice, 0.4-0.8 s on SQLite and 0.4-1.1 s on PostgreSQL).

SQLite: an FTS5 table without content (`project_text`, trigram tokenizer, no positions), kept by triggers on
`project` in the writing transaction. PostgreSQL: a pg_trgm GIN index on the same text as an expression
(`ix_project_text_trgm`). Neither is modelled: `registry.queries.sql.project_text_candidates` queries them.

A later migration that rebuilds `project` on SQLite (a batch operation) drops the triggers with the table: it
must create them again (`create_sqlite_triggers` below, copied into it).

Revision ID: 0027
Revises: 0026
"""
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

# the text indexed: the reference and the three columns, a line break between them (no trigram spans two of them
# with a character of each)
TEXT = ("{row}ref || char(10) || {row}name || char(10) || coalesce({row}parcel_name, '') || char(10) || "
        "coalesce({row}owner, '')")
TRIGGERS = ("project_text_insert", "project_text_update", "project_text_delete")


def create_sqlite_triggers():
    # the SQL is this file's own constants: nothing from outside reaches it
    new, old = TEXT.format(row="new."), TEXT.format(row="old.")
    forget = f"INSERT INTO project_text (project_text, rowid, text) VALUES ('delete', old.id, {old});"  # nosec B608
    learn = f"INSERT INTO project_text (rowid, text) VALUES (new.id, {new});"  # nosec B608
    op.execute(f"CREATE TRIGGER project_text_insert AFTER INSERT ON project BEGIN {learn} END")
    op.execute(f"CREATE TRIGGER project_text_update AFTER UPDATE OF ref, name, parcel_name, owner ON project "
               f"BEGIN {forget} {learn} END")
    op.execute(f"CREATE TRIGGER project_text_delete AFTER DELETE ON project BEGIN {forget} END")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_project_text_trgm ON project USING gin "
                   f"(({TEXT.format(row='').replace('char(10)', 'chr(10)')}) gin_trgm_ops)")
        return
    op.execute("CREATE VIRTUAL TABLE project_text USING fts5(text, content='', tokenize='trigram', detail='none')")
    op.execute(f"INSERT INTO project_text (rowid, text) SELECT id, {TEXT.format(row='')} FROM project")  # nosec B608
    create_sqlite_triggers()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_project_text_trgm")
        return
    for trigger in TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger}")
    op.execute("DROP TABLE project_text")
