"""Cloud database migrations (peewee; SQLite and PostgreSQL)."""
