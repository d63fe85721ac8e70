"""The Indonesian catalogue is complete, and the committed ``.mo`` matches it.

When one of these fails after you add or change a user-facing string, run

    .venv/bin/python manage.py makemessages -l id --ignore=.venv --ignore=var --ignore=bench --ignore=tests

translate every new msgid in locale/id/LC_MESSAGES/django.po (and drop the
``fuzzy`` flags once checked), then

    .venv/bin/python manage.py compilemessages -l id --ignore=.venv

and commit both django.po and django.mo.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import polib
import pytest

from tests.live import ROOT
from tests.ops.processes import child_env

LOCALE = ROOT / "locale" / "id" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"
HOW_TO_FIX = ("re-run `manage.py makemessages -l id --ignore=.venv --ignore=var --ignore=bench --ignore=tests`, "
              "translate, then `manage.py compilemessages -l id --ignore=.venv` (see tests/frontend/test_catalogue.py)")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w*\}")


def live_entries(catalogue) -> list:
    return [entry for entry in catalogue if not entry.obsolete and entry.msgid]


def translations(entry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def key(entry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(PO))


def test_every_msgid_is_translated(po):
    untranslated = [entry.msgid for entry in live_entries(po) if not all(s.strip() for s in translations(entry))]
    assert untranslated == [], f"untranslated in {PO.relative_to(ROOT)}: {untranslated}; {HOW_TO_FIX}"


def test_no_translation_is_fuzzy(po):
    fuzzy = [entry.msgid for entry in live_entries(po) if "fuzzy" in entry.flags]
    assert fuzzy == [], f"fuzzy (unchecked) in {PO.relative_to(ROOT)}: {fuzzy}; check them and drop the flag"


def test_translations_keep_the_placeholders(po):
    broken = [
        entry.msgid for entry in live_entries(po)
        for text in translations(entry)
        if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(entry.msgid))
    ]
    assert broken == [], f"translations that lose or add a placeholder: {broken}"


def test_committed_mo_contains_every_translation(po):
    compiled = {key(entry): translations(entry) for entry in polib.mofile(str(MO))}
    stale = [entry.msgid for entry in live_entries(po) if compiled.get(key(entry)) != translations(entry)]
    assert stale == [], f"{MO.relative_to(ROOT)} is older than the .po for: {stale}; {HOW_TO_FIX}"


def test_catalogue_has_every_string_of_the_source(tmp_path, po):
    """Extract the strings again from a copy of the source tree and compare.
    Needs GNU gettext: CI installs it and fails without it; a developer
    machine without it skips, saying how to install it."""
    if shutil.which("xgettext") is None:
        message = "needs GNU gettext's xgettext (apt-get install gettext)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    ignore = shutil.ignore_patterns(".git", ".venv", "var", "bench", "tests", "staticfiles", "__pycache__",
                                    ".pytest_cache", ".ruff_cache", ".hypothesis", "node_modules", "*.mo")
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=ignore)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "id", "--ignore=.venv", "--ignore=var",
         "--ignore=bench", "--ignore=tests"],
        cwd=copy, env=child_env(DJANGO_SETTINGS_MODULE="settings.dev", BALAI_VAR_DIR=str(tmp_path / "var")),
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(copy / "locale" / "id" / "LC_MESSAGES" / "django.po"))
    missing = sorted({key(entry) for entry in live_entries(fresh)} - {key(entry) for entry in live_entries(po)})
    assert missing == [], f"strings in the code but not in the catalogue: {[m[1] for m in missing]}; {HOW_TO_FIX}"
