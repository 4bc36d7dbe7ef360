"""Agent SQLite schema migrations (sqlite-utils)."""
