"""The hardening tests reuse the leads API fixtures: both databases, a token per role."""

from tests.leads.conftest import (  # noqa: F401 - fixtures
    api,
    backend,
    database_url,
    postgres_url,
    scripts_dir,
    sqlite_template,
)
