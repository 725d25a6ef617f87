"""The catalogue of languages clients read and services offer (issue 19, D-089).

A language is named by its ISO 639 code (639-1 where one exists, else 639-3: ``prs`` Dari,
``kmr`` Kurmanji, ``ckb`` Sorani). The catalogue knows the German and English name, the
language's own name (autonym, for the public page's language switch) and whether its script
runs right to left. It is not a rule that changes with time, so it is code, not data.

``normalise`` turns what case managers typed into a person's language list ("ar", "Arabisch",
"arabic", "العربية") into a code; ``preferred`` picks a person's first language for which a
document text exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import translation


@dataclass(frozen=True)
class Language:
    code: str
    name_de: str
    name_en: str
    autonym: str
    rtl: bool = False

    @property
    def name(self) -> str:
        """The name in the active UI language (German unless English is active)."""
        return (
            self.name_en if (translation.get_language() or "de").startswith("en") else self.name_de
        )


LANGUAGES: tuple[Language, ...] = (
    Language("de", "Deutsch", "German", "Deutsch"),
    Language("en", "Englisch", "English", "English"),
    Language("ar", "Arabisch", "Arabic", "العربية", rtl=True),
    Language("uk", "Ukrainisch", "Ukrainian", "Українська"),
    Language("ru", "Russisch", "Russian", "Русский"),
    Language("fa", "Persisch (Farsi)", "Persian (Farsi)", "فارسی", rtl=True),
    Language("prs", "Dari", "Dari", "دری", rtl=True),
    Language("ps", "Paschtu", "Pashto", "پښتو", rtl=True),
    Language("tr", "Türkisch", "Turkish", "Türkçe"),
    Language("kmr", "Kurdisch (Kurmandschi)", "Kurdish (Kurmanji)", "Kurmancî"),
    Language("ckb", "Kurdisch (Sorani)", "Kurdish (Sorani)", "کوردی", rtl=True),
    Language("ti", "Tigrinya", "Tigrinya", "ትግርኛ"),
    Language("so", "Somali", "Somali", "Soomaali"),
    Language("fr", "Französisch", "French", "Français"),
    Language("es", "Spanisch", "Spanish", "Español"),
    Language("it", "Italienisch", "Italian", "Italiano"),
    Language("pl", "Polnisch", "Polish", "Polski"),
    Language("ro", "Rumänisch", "Romanian", "Română"),
    Language("bg", "Bulgarisch", "Bulgarian", "Български"),
    Language("sq", "Albanisch", "Albanian", "Shqip"),
    Language("sr", "Serbisch", "Serbian", "Српски"),
    Language("bs", "Bosnisch", "Bosnian", "Bosanski"),
    Language("hr", "Kroatisch", "Croatian", "Hrvatski"),
    Language("el", "Griechisch", "Greek", "Ελληνικά"),
    Language("ur", "Urdu", "Urdu", "اردو", rtl=True),
    Language("hi", "Hindi", "Hindi", "हिन्दी"),
    Language("vi", "Vietnamesisch", "Vietnamese", "Tiếng Việt"),
    Language("zh", "Chinesisch", "Chinese", "中文"),
    Language("he", "Hebräisch", "Hebrew", "עברית", rtl=True),
    Language("am", "Amharisch", "Amharic", "አማርኛ"),
    Language("sgn-de", "Deutsche Gebärdensprache", "German Sign Language", "DGS"),
)

_BY_CODE = {language.code: language for language in LANGUAGES}
_BY_NAME = {
    key.casefold(): language.code
    for language in LANGUAGES
    for key in (language.code, language.name_de, language.name_en, language.autonym)
}
# Common spellings that are not a catalogue name.
_BY_NAME.update(
    {
        "farsi": "fa",
        "persisch": "fa",
        "persian": "fa",
        "kurdisch": "kmr",
        "kurdish": "kmr",
        "kurmanji": "kmr",
        "sorani": "ckb",
        "dgs": "sgn-de",
        "gebärdensprache": "sgn-de",
    }
)


def get(code: str) -> Language | None:
    return _BY_CODE.get(code)


def codes() -> list[str]:
    return [language.code for language in LANGUAGES]


def name(code: str) -> str:
    """The language's name in the UI language; an unknown code stays as it is."""
    language = _BY_CODE.get(code)
    return language.name if language else code


def autonym(code: str) -> str:
    language = _BY_CODE.get(code)
    return language.autonym if language else code


def is_rtl(code: str) -> bool:
    language = _BY_CODE.get(code)
    return bool(language and language.rtl)


def direction(code: str) -> str:
    """The value of the HTML ``dir`` attribute for text in this language."""
    return "rtl" if is_rtl(code) else "ltr"


def normalise(value: str) -> str | None:
    """The catalogue code for a code or a name in German, English or the language itself."""
    key = value.strip().casefold()
    if not key:
        return None
    return _BY_NAME.get(key) or _BY_NAME.get(key.split("-")[0].split("_")[0])


def choices(*, exclude: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(code, name) pairs for a select field, German first, then by name."""
    skip = set(exclude)
    first = [lang for lang in LANGUAGES[:1] if lang.code not in skip]
    rest = sorted((lang for lang in LANGUAGES[1:] if lang.code not in skip), key=lambda x: x.name)
    return [(lang.code, lang.name) for lang in first + rest]


def preferred(languages: Iterable[str], available: Iterable[str]) -> str | None:
    """The first of a person's languages, other than German, for which a text is available
    (``languages`` as recorded: codes or names, in the person's order of preference)."""
    have = set(available)
    for value in languages:
        code = normalise(str(value))
        if code and code != "de" and code in have:
            return code
    return None
