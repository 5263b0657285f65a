"""Translations: the Chinese catalogue is complete and well-formed, the template is current, pages switch language.

When a test here fails after you added or changed a user-facing string, refresh the catalogues and
translate what is new (see UPDATE_HINT), then commit messages.pot and the .po files.
"""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import post

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
POT = TRANSLATIONS / "messages.pot"
ZH_PO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
PYBABEL = Path(sys.executable).parent / "pybabel"

UPDATE_HINT = (
    "Run `pybabel extract -F babel.cfg -k _l -k N_ --sort-output -o app/translations/messages.pot app"
    " && pybabel update -i app/translations/messages.pot -d app/translations`, then translate the new"
    " entries in app/translations/zh/LC_MESSAGES/messages.po (and remove any `#, fuzzy` mark).")

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _read(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def _msgids(catalog) -> set[str]:
    return {m.id for m in catalog if m.id}  # the header has an empty msgid


def _pybabel(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([str(PYBABEL), *args], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"pybabel {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
    return result


@pytest.fixture(scope="session")
def compiled_catalogues():
    """The .mo files, compiled if missing or older than their .po (the install step usually did it)."""
    stale = [po for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")
             if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime]
    if stale:
        _pybabel("-q", "compile", "-d", str(TRANSLATIONS))


def test_every_message_is_translated_into_chinese():
    zh = _read(ZH_PO)
    missing = []
    for msgid in sorted(_msgids(_read(POT))):
        message = zh.get(msgid)
        if message is None or not message.string or message.fuzzy:
            missing.append(msgid)
    assert not missing, (f"{len(missing)} message(s) without a Chinese translation:\n  "
                         + "\n  ".join(missing) + "\n" + UPDATE_HINT)


def test_no_fuzzy_entries():
    fuzzy = [m.id for m in _read(ZH_PO) if m.id and m.fuzzy]
    assert not fuzzy, "Fuzzy (unchecked) translations:\n  " + "\n  ".join(fuzzy) + "\n" + UPDATE_HINT


def test_placeholders_and_tags_survive_translation():
    problems = []
    for message in _read(ZH_PO):
        if not message.id or not message.string:
            continue
        if set(PLACEHOLDER.findall(message.id)) != set(PLACEHOLDER.findall(message.string)):
            problems.append(f"placeholders differ: {message.id!r} -> {message.string!r}")
        if sorted(HTML_TAG.findall(message.id)) != sorted(HTML_TAG.findall(message.string)):
            problems.append(f"HTML tags differ: {message.id!r} -> {message.string!r}")
        # A stray % (other than %% or a named placeholder) breaks the formatting at run time.
        if "python-format" in message.flags and re.search(r"%(?!\(\w+\)[sd]|%)", message.string):
            problems.append(f"stray %: {message.id!r} -> {message.string!r}")
    assert not problems, "\n".join(problems)


def test_catalogue_header():
    zh = _read(ZH_PO)
    assert str(zh.locale) == "zh"
    assert zh.plural_forms == "nplurals=1; plural=0;"


def test_pot_is_up_to_date_with_the_code(tmp_path):
    fresh = tmp_path / "messages.pot"
    _pybabel("-q", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "N_", "-o", str(fresh), "app")
    in_code, committed = _msgids(_read(fresh)), _msgids(_read(POT))
    new, gone = sorted(in_code - committed), sorted(committed - in_code)
    assert not new and not gone, (
        "app/translations/messages.pot is out of date with the code.\n"
        + ("Not in the pot yet:\n  " + "\n  ".join(new) + "\n" if new else "")
        + ("No longer in the code:\n  " + "\n  ".join(gone) + "\n" if gone else "")
        + UPDATE_HINT)


def test_pages_are_chinese_by_default_and_switch_to_english(compiled_catalogues, client):
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page and "Sign in" not in page

    response = post(client, "/language", {"locale": "en", "next": "/login"}, token_from="/login")
    assert response.status_code == 302

    page = client.get("/login").get_data(as_text=True)
    assert "Sign in" in page and "登录" not in page
