"""Background jobs for slow PDF reports: a row per job (status, progress, result) that any worker can read."""
