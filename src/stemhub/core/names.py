"""Names kept in two languages: an English name (the one other registries and exchange formats
use) and a Chinese one. A page shows the one of its interface language first and the other one
after it; either may be missing, and then the one present is shown alone.

Text the platform writes itself (a CAPA's title when a record opens it, say) is kept the same
way, so that each reader sees it in theirs: a sentence is composed once per language with
`said(lambda: _("...") % {...})` (its parts, such as a grade's label, are made inside the
lambda, so they follow the language too) and stored as English with its Chinese. A person's own
words are stored as typed."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import get_language

CHINESE = "zh-hans"
ENGLISH = "en"


def chinese_interface() -> bool:
    """True while the active interface language is Chinese."""
    return (get_language() or "").lower().startswith("zh")


def name_pair(english: str, chinese: str) -> tuple[str, str]:
    """`(shown, other)`: the name in the interface language first (the other one where it is
    missing), and the other language's name, or "" when absent or the same text."""
    english, chinese = english.strip(), chinese.strip()
    first, second = (chinese, english) if chinese_interface() else (english, chinese)
    if not first:
        return second, ""
    return first, "" if second == first else second


def language_of(name: str, chinese: str) -> str:
    """The language tag of one of a pair's names (for `lang` attributes)."""
    return CHINESE if chinese and name == chinese.strip() else ENGLISH


class BilingualName:
    """`display_name` and `other_name` for a model with `english_name` and `chinese_name`."""

    @property
    def english_name(self) -> str:
        raise NotImplementedError

    @property
    def chinese_name(self) -> str:
        raise NotImplementedError

    @property
    def display_name(self) -> str:
        """The name in the interface language, else the other one."""
        return name_pair(self.english_name, self.chinese_name)[0]

    @property
    def other_name(self) -> str:
        """The other language's name, or "" when there is none."""
        return name_pair(self.english_name, self.chinese_name)[1]


@dataclass(frozen=True)
class Said:
    """A sentence the platform composed, in English and in Simplified Chinese."""

    en: str
    zh: str

    def __str__(self) -> str:
        return self.en


def said(make: Callable[[], str]) -> Said:
    """The sentence `make` composes, in each interface language."""
    with translation.override(ENGLISH):
        en = str(make())
    with translation.override(CHINESE):
        zh = str(make())
    return Said(en=en, zh=zh)


def in_reader_language(en: str, zh: str) -> str:
    """Stored text in the interface language: its Chinese where there is one."""
    return zh if chinese_interface() and zh else en
