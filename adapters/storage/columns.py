"""Column types shared by the models: ids and UTC datetimes (no clock: times are passed in)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Integer
from sqlalchemy.types import TypeDecorator

# BIGINT on PostgreSQL so busy tables (messages, jobs, audit) never run out;
# SQLite only autoincrements a column declared exactly INTEGER PRIMARY KEY.
ID = BigInteger().with_variant(Integer(), "sqlite")
MAX_ID = 2**63 - 1
"""The largest id either database stores; a larger one would overflow the driver."""


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime, stored as UTC and read back aware in UTC.

    PostgreSQL keeps it as ``timestamptz``; SQLite has no zone, so the value is
    written as naive UTC and UTC is attached on the way out. A naive value is
    refused: a wrong zone found in production is far costlier than an error now.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive values; hand the database UTC (naive for SQLite)."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: storage takes aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Always aware, always UTC, whatever the driver returned."""
        if value is None:
            return None
        if not isinstance(value, datetime):  # pragma: no cover - drivers return datetimes
            raise TypeError(f"expected a datetime from the database, got {value!r}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
