"""Numbers typed back in the UI language (issue 17): :func:`parse_number` reads what
:func:`format_number` writes, in both languages, and says in the UI language what is wrong."""

from __future__ import annotations

import pytest

from ilp_gis.i18n import decimal_separator, format_number, parse_number


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("value,decimals", [(5.0, 1), (1234.5, 1), (0.25, 2), (1_500_000, 0),
                                            (-12.5, 1)])
def test_parse_reads_what_format_writes(lang, value, decimals):
    assert parse_number(format_number(value, decimals, lang=lang), lang=lang) == value


def test_locale_marks():
    assert decimal_separator("id") == "," and decimal_separator("en") == "."
    assert format_number(5.0, 1, lang="id") == "5,0"
    assert format_number(5.0, 1, lang="en") == "5.0"
    # Indonesian: "." groups thousands, "," is the decimal mark
    assert parse_number("1.500", lang="id") == 1500.0
    assert parse_number("5,5", lang="id") == 5.5
    # a plain decimal typed with the other mark is still read as a decimal
    assert parse_number("5.5", lang="id") == 5.5
    assert parse_number("1,500", lang="en") == 1500.0
    assert parse_number("2,25", lang="en") == 2.25
    assert parse_number(7, lang="id") == 7.0


def test_not_a_number_is_said_in_the_ui_language():
    with pytest.raises(ValueError, match="bukan angka.*1.234,5"):
        parse_number("lima", lang="id")
    with pytest.raises(ValueError, match="is not a number.*1,234.5"):
        parse_number("five", lang="en")
    with pytest.raises(ValueError):
        parse_number("", lang="id")
