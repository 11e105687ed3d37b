"""The English translation is complete: every French message has an English text."""

from __future__ import annotations

import re
from pathlib import Path

PO_FILE = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _entries() -> list[str]:
    return [
        block for block in PO_FILE.read_text(encoding="utf-8").split("\n\n") if "msgid" in block
    ]


def test_every_message_is_translated():
    """No empty msgstr and no fuzzy entry (run makemessages, then translate what is new)."""
    untranslated = []
    for block in _entries()[1:]:
        msgid = re.search(r'^msgid "(.*)"', block, re.MULTILINE)
        strings = re.findall(r'^msgstr(?:\[\d\])? (".*"(?:\n".*")*)', block, re.MULTILINE)
        empty = any(value.replace('"', "").replace("\n", "") == "" for value in strings)
        if empty or "#, fuzzy" in block:
            untranslated.append(msgid.group(1) if msgid else block[:60])
    assert untranslated == []


def test_compiled_catalogue_is_present():
    """The compiled .mo file ships next to the .po file."""
    assert PO_FILE.with_suffix(".mo").stat().st_size > 0
