"""Alembic migration environment; run through ``adapters.storage.migrate``."""
