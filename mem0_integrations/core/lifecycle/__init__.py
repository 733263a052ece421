"""After the write: forgetting, restoring, consolidation, purge, export/import, stats, access."""
