"""Static files with their content's digest in the URL (?v=…), cached by browsers for a year.

A page then re-checks none of its CSS and JS files; a changed file gets a new URL, so nobody keeps an old copy.
Files asked for without the digest (or with a stale one) are served as before, revalidated on every use.
"""
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, request

YEAR = 365 * 24 * 3600
ENDPOINTS = {"static": None, "bootstrap.static": "bootstrap"}  # endpoint -> blueprint owning the folder


@lru_cache(maxsize=512)
def _digest(path: str, mtime_ns: int) -> str:  # mtime in the key: an edited file is read again
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


@lru_cache(maxsize=512)
def _fixed_version(folder: str, filename: str) -> str | None:
    """Outside debug mode a deployed file does not change: its version is worked out once per process."""
    return _version(folder, filename)


def _version(folder: str, filename: str) -> str | None:
    path = (Path(folder) / filename).resolve()
    if not path.is_relative_to(Path(folder).resolve()) or not path.is_file():
        return None
    return _digest(str(path), path.stat().st_mtime_ns)


def _folder(endpoint: str) -> str | None:
    owner = ENDPOINTS[endpoint]
    return current_app.static_folder if owner is None else getattr(current_app.blueprints.get(owner),
                                                                   "static_folder", None)


def version_of(endpoint: str, filename: str) -> str | None:
    folder = _folder(endpoint)
    if not folder:
        return None
    # Every page links several files: stat them on each request only while developing (files being edited).
    return _version(folder, filename) if current_app.debug else _fixed_version(folder, filename)


def _add_version(endpoint, values) -> None:
    if endpoint in ENDPOINTS and "filename" in values and "v" not in values:
        version = version_of(endpoint, values["filename"])
        if version:
            values["v"] = version


def _cache_for_a_year(response):
    if (request.endpoint in ENDPOINTS and response.status_code == 200 and request.args.get("v")
            and request.args["v"] == version_of(request.endpoint, (request.view_args or {}).get("filename", ""))):
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
        response.cache_control.no_cache = None
    return response


def init_app(app: Flask) -> None:
    app.url_defaults(_add_version)
    app.after_request(_cache_for_a_year)
