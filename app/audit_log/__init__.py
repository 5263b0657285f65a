"""The audit log page: the hash-chained trail of app.audit, read through the tenancy gate, in words."""
