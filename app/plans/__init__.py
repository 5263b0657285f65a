"""Monitoring plans (数据质量控制计划): per enterprise and year, how each source's data is measured, and the check of
each monthly filing against the version in force."""
