"""SQLAlchemy 2 storage adapter: tables, engine set-up and the unit of work."""
