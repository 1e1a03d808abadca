"""Alembic environment. The engine comes from the app (Flask-Migrate); on SQLite, foreign keys are off during
the migration (a batch rebuild of a parent table would otherwise cascade-delete its children) and
`PRAGMA foreign_key_check` must come back empty before the migration commits. On PostgreSQL the migration takes an
advisory lock first, so a second `flask db upgrade` run at the same time (from another host) waits for the first to
commit, then finds the schema at its head and does nothing."""
import logging
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from flask import current_app

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
target_metadata = db.metadata
MIGRATION_LOCK = 0x5EA2C3  # pg_advisory_xact_lock: released when the migration's transaction ends


def run_migrations_offline():
    context.configure(url=str(db.engine.url), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    engine = db.engine
    is_sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if is_sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            **{
                **current_app.extensions["migrate"].configure_args,
                "render_as_batch": is_sqlite,
                "compare_type": True,
                "process_revision_directives": process_revision_directives,
            },
        )
        with context.begin_transaction():
            if not is_sqlite:
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            context.run_migrations()
            if is_sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left {len(broken)} rows with broken foreign keys; rolled back")
        if is_sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
