"""Adapters to the database: typed SQLAlchemy models, the unit of work, migrations and set-based queries."""
