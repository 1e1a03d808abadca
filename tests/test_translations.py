"""The Chinese catalogues: every one compiles, and a message shared by two rooms reads the same in both
(Flask-Babel merges the rooms' catalogues, so a clash would silently change another room's page)."""
from collections import defaultdict
from pathlib import Path

from babel.messages.pofile import read_po

from registry.i18n import TRANSLATION_DIRECTORIES


def catalogues():
    for directory in TRANSLATION_DIRECTORIES:
        for path in Path(directory).glob("zh_Hans_CN/LC_MESSAGES/messages.po"):
            with path.open("rb") as f:
                yield path, read_po(f)


def test_every_room_has_a_chinese_catalogue():
    assert len(list(catalogues())) == len(TRANSLATION_DIRECTORIES)


def test_every_message_is_translated():
    untranslated = [(path.parent.parent.parent.parent.name, m.id) for path, catalogue in catalogues()
                    for m in catalogue if m.id and not m.string]
    assert untranslated == []


def test_a_message_shared_by_rooms_reads_the_same_in_each():
    translations = defaultdict(set)
    for _path, catalogue in catalogues():
        for message in catalogue:
            if message.id:
                translations[message.id if isinstance(message.id, str) else message.id[0]].add(
                    message.string if isinstance(message.string, str) else message.string[0])
    clashes = {msgid: strings for msgid, strings in translations.items() if len(strings) > 1}
    assert clashes == {}
