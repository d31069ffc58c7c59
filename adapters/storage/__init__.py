"""Storage: SQLAlchemy 2 models, Alembic migrations, repositories and the unit of work.

SQLite (WAL, one file, no set-up) is the embedded default; PostgreSQL through
psycopg 3 is the scale-out path. Both run the same contract tests.
"""
