"""Kölner Phonetik and name normalisation: the published examples and our spelling variants."""

from __future__ import annotations

import pytest

from kim.core.phonetics import cologne_phonetic, name_tokens, normalise_name


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Müller-Lüdenscheidt", "65752682"),
        ("Wikipedia", "3412"),
        ("Breschnew", "17863"),
        ("Meyer", "67"),
        ("Maier", "67"),
        ("Mayr", "67"),
        ("Christoph", "47823"),  # C at the start before H is hard; PH is 3
        ("Cäsar", "487"),  # C at the start before A is hard; ä counts as a vowel pair
        ("Celik", "854"),  # C at the start before E is soft
        ("Xaver", "4837"),  # X is 48 unless after C, K, Q
        ("Fuchs", "348"),  # CH after U is hard, S is 8
        ("Dschungel", "8645"),  # D before S is 8, C after S is 8
        ("Schmidt", "862"),
        ("Schmitt", "862"),
        ("Heinrich", "0674"),  # leading vowel code is kept, H has no code
    ],
)
def test_cologne_phonetic_examples(text: str, code: str) -> None:
    assert cologne_phonetic(text) == code


def test_spelling_variants_share_a_code() -> None:
    assert {cologne_phonetic(n) for n in ("Müller", "Mueller", "MÜLLER", "Muller")} == {"657"}
    assert cologne_phonetic("Meier") == cologne_phonetic("Meyer") == cologne_phonetic("Maier")


def test_text_without_latin_letters_has_no_code() -> None:
    assert cologne_phonetic("Иванов") == ""
    assert cologne_phonetic("") == ""
    assert cologne_phonetic("--") == ""


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("MÜLLER", "mueller"),
        ("Größe", "groesse"),
        ("GROẞ", "gross"),
        ("Ärger Öl", "aerger oel"),
        ("Çelik", "celik"),
        ("José", "jose"),
        ("Müller", "mueller"),  # decomposed u + combining diaeresis
        ("Søren Łukasz", "soeren lukasz"),
    ],
)
def test_normalise_name(name: str, normalised: str) -> None:
    assert normalise_name(name) == normalised


def test_name_tokens_split_on_spaces_hyphens_and_apostrophes() -> None:
    assert name_tokens("  Jean-Luc  O'Brien ") == ["jean", "luc", "o", "brien"]
    assert name_tokens("Anna–Lena D’Angelo") == ["anna", "lena", "d", "angelo"]
    assert name_tokens("Müller-Lüdenscheidt") == ["mueller", "luedenscheidt"]
    assert name_tokens("Иван Петров") == ["иван", "петров"]
    assert name_tokens(" - ") == []
