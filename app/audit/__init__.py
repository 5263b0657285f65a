"""The audit trail: one hash chain of events that every package writes (services.record) and the CLI checks."""
