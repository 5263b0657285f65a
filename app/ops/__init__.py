"""Operations: health and readiness probes, structured request logs, backup and restore."""
