"""The store: one SQLAlchemy Core schema on SQLite (embedded) or PostgreSQL/PostGIS, Alembic migrations,
and the typed functions that archive payloads, ingest readings and samples, and answer queries."""
