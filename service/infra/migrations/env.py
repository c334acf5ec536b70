"""Alembic environment: runs migrations online against the configured URL."""

from alembic import context
from sqlalchemy import pool

from service.infra import integration_models  # noqa: F401  (its tables join Base.metadata)
from service.infra.db import make_engine
from service.infra.models import Base

config = context.config


def run_migrations() -> None:
    """Run every pending migration in one transaction."""
    engine = make_engine(config.get_main_option("sqlalchemy.url").replace("%%", "%"))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


assert pool  # imported so autogenerate output that references it stays valid
run_migrations()
