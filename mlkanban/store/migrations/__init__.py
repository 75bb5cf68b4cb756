"""Alembic migrations, run from code by ``mlkanban.store.schema``."""
