"""The catalogue of clients' languages (kim/core/languages.py, D-089)."""

from __future__ import annotations

from django.utils import translation

from kim.core import languages


def test_codes_are_unique_and_german_comes_first() -> None:
    codes = languages.codes()
    assert len(codes) == len(set(codes))
    assert codes[0] == "de"
    assert languages.choices()[0] == ("de", "Deutsch")


def test_right_to_left_scripts() -> None:
    assert {c for c in languages.codes() if languages.is_rtl(c)} == {
        "ar",
        "fa",
        "prs",
        "ps",
        "ckb",
        "ur",
        "he",
    }
    assert languages.direction("ar") == "rtl"
    assert languages.direction("uk") == "ltr"
    assert languages.direction("xx") == "ltr"


def test_normalise_reads_what_case_managers_type() -> None:
    for typed, code in [
        ("ar", "ar"),
        ("AR", "ar"),
        ("Arabisch", "ar"),
        ("arabic", "ar"),
        ("العربية", "ar"),
        (" Farsi ", "fa"),
        ("Ukrainisch", "uk"),
        ("uk-UA", "uk"),
        ("Kurdisch", "kmr"),
        ("Sorani", "ckb"),
    ]:
        assert languages.normalise(typed) == code, typed
    assert languages.normalise("") is None
    assert languages.normalise("Klingonisch") is None


def test_names_follow_the_ui_language() -> None:
    with translation.override("de"):
        assert languages.name("uk") == "Ukrainisch"
        assert [label for code, label in languages.choices() if code == "ar"] == ["Arabisch"]
    with translation.override("en"):
        assert languages.name("uk") == "Ukrainian"
    assert languages.autonym("uk") == "Українська"
    assert languages.name("xx") == "xx"


def test_preferred_is_the_first_available_language_other_than_german() -> None:
    assert languages.preferred(["Deutsch", "Arabisch", "en"], {"de", "en", "ar"}) == "ar"
    assert languages.preferred(["ku", "en"], {"de", "en"}) == "en"
    assert languages.preferred(["de"], {"de", "en"}) is None
    assert languages.preferred(["Tigrinya"], {"de", "en", "ar"}) is None
    assert languages.preferred([], {"ar"}) is None
