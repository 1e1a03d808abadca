"""Read-only queries: what views, exports and the search index read. Writes live in services."""
