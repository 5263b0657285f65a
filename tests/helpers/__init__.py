"""Plain set-up shared by several test modules (the fixtures are in tests/conftest.py).

One small module per subject, so that each keeps the names its tests use (two subjects have their own YEAR/NOW).
"""
