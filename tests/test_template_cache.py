"""Compiled templates are kept on disk for every worker (the first open of a page no longer compiles it), and
the cache never fails a page."""
from pathlib import Path

from jinja2 import DictLoader, Environment

from app.core.template_cache import _Cache


def test_compiled_templates_are_kept_on_disk_and_used(app, client):
    cache = app.jinja_env.bytecode_cache
    assert isinstance(cache, _Cache) and Path(cache.directory).is_relative_to(app.instance_path)
    assert client.get("/login").status_code == 200
    assert list(Path(cache.directory).glob("__jinja2_*.cache"))
    # Another process (a fresh environment on the same folder) loads the compiled code instead of compiling.
    loader = DictLoader({"page.html": "<p>{{ n + 1 }}</p>"})
    Environment(loader=loader, bytecode_cache=_Cache(cache.directory)).get_template("page.html")
    fresh = Environment(loader=loader, bytecode_cache=_Cache(cache.directory))
    fresh.compile = None  # would fail if called
    assert fresh.get_template("page.html").render(n=1) == "<p>2</p>"


def test_an_unusable_cache_folder_only_means_compiling(tmp_path):
    env = Environment(loader=DictLoader({"page.html": "{{ n * 2 }}"}),
                      bytecode_cache=_Cache(str(tmp_path / "gone")))
    assert env.get_template("page.html").render(n=21) == "42"
    (tmp_path / "broken").mkdir()
    cache = _Cache(str(tmp_path / "broken"))
    env = Environment(loader=DictLoader({"page.html": "{{ n * 2 }}"}), bytecode_cache=cache)
    Path(cache._get_cache_filename(cache.get_bucket(env, "page.html", None, "{{ n * 2 }}"))).write_bytes(b"junk")
    assert env.get_template("page.html").render(n=4) == "8"
