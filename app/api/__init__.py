"""/api/v1: the government link. Thin JSON wrappers over the same services and the same tenancy gate as the web."""
