"""Numbers that must not be guessed: budget amounts with irregular separators, absurd or
non-finite amounts (bounded by the rule ``budget.max_line_amount``), coordinates that are not
finite numbers — each with a message naming the real problem, in both languages."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ilp_gis import budget as B
from ilp_gis import coords
from ilp_gis.errors import RulesError
from ilp_gis.i18n import language
from ilp_gis.rules import default_rules, parse_rules


@pytest.mark.parametrize("text", ["1,2,3", "1.2.3", "12.34.567", "1,25,000", "1.2,50",
                                  "1,2.50", "1234.567,00"])
def test_irregular_separators_are_doubtful_and_not_guessed(text):
    p = B.parse_amount(text)
    assert p.status == "doubtful" and p.value is None
    assert f"'{text}'" in p.message and "tidak beraturan" in p.message
    with language("en"):
        assert "no regular groups of three digits" in B.parse_amount(text).message


@pytest.mark.parametrize("text, value", [
    ("1.250.000", 1_250_000), ("1,250,000", 1_250_000), ("1.250.000,00", 1_250_000),
    ("IDR 1,250,000.50", 1_250_000.5), ("Rp 9.999.999.999.999", 9_999_999_999_999),
])
def test_regular_grouping_still_reads(text, value):
    p = B.parse_amount(text)
    assert p.ok and p.value == pytest.approx(value)


@pytest.mark.parametrize("value", ["123456789012345678901", "10.000.000.000.001", "20 T",
                                   1e308, 10**21, np.float64(2e13)])
def test_amount_above_the_rule_is_rejected(value):
    p = B.parse_amount(value)
    assert p.status == "error" and p.value is None
    assert "melebihi batas satu baris Rp 10 T" in p.message
    assert "budget.max_line_amount" in p.message


@pytest.mark.parametrize("value", [math.inf, -math.inf, np.float64("inf")])
def test_non_finite_amount_is_rejected(value):
    p = B.parse_amount(value)
    assert p.status == "error" and "bukan bilangan terhingga" in p.message


def test_nan_amount_stays_missing():
    assert B.parse_amount(math.nan).status == "empty"


def test_the_bound_is_the_callers_rule():
    assert B.parse_amount("2 M", max_amount=1e9).status == "error"
    assert B.parse_amount("2 M", max_amount=1e10).value == 2e9


def test_rule_ships_with_unit_source_and_unconfirmed():
    rule = default_rules().rule("budget.max_line_amount")
    assert rule.value == 1e13 and rule.unit.startswith("Rp")
    assert rule.source and rule.confirmed is False
    assert B.default_max_line_amount() == 1e13
    # an older rules file without it keeps the default
    assert parse_rules("[limit.pustu_distance_km]\nvalue = 3\n", origin="r.toml")[
        "budget.max_line_amount"] == 1e13


@pytest.mark.parametrize("text, match", [
    ("[budget.max_line_amount]\nvalue = inf\n", "bukan bilangan terhingga"),
    ("[budget.max_line_amount]\nvalue = nan\n", "bukan bilangan terhingga"),
    ("[budget.max_line_amount]\nvalue = 0\n", "harus lebih dari 0"),
    ("[limit.pustu_distance_km]\nvalue = inf\n", "limit.pustu_distance_km"),
])
def test_rules_file_bound_is_validated(text, match):
    with pytest.raises(RulesError, match=match):
        parse_rules(text, origin="aturan.toml")


# --- coordinates -------------------------------------------------------------------------------
@pytest.mark.parametrize("lon, lat", [("inf", "-8.1"), ("112.5", "-inf"), ("Infinity", "-8"),
                                      ("1e999", "-8"), ("112.5", "NaN"), (math.inf, -8.1)])
def test_non_finite_coordinate_is_named(lon, lat):
    r = coords.fix_point(lon, lat)
    assert r.status == coords.REJECTED and r.problems == ("not_finite_coordinates",)
    msg = r.message()
    assert "bukan bilangan terhingga" in msg and "UTM" not in msg and "kosong" not in msg
    assert "not a finite number" in r.message(lang="en")


def test_non_finite_in_a_float_column():
    out = coords.fix_points(np.array([112.55, np.inf]), np.array([-8.05, -8.05]))
    assert list(out["status"]) == [coords.OK, coords.REJECTED]
    assert out["problems"].iloc[1] == ("not_finite_coordinates",)
    assert math.isnan(out["lon"].iloc[1])


def test_metres_are_still_metres():
    r = coords.fix_point(680000, 9100000)
    assert r.problems == ("projected_coordinates",) and "UTM" in r.message()


@pytest.mark.parametrize("reason, words_id, words_en", [
    ("formula_without_value", "rumus tanpa nilai tersimpan", "formula without a saved value"),
    ("mixed_delimiter", "pemisah lain", "another separator"),
])
def test_empty_because_the_reader_knows_why(reason, words_id, words_en):
    probs = coords.explain_missing(("missing_coordinates",), reason)
    assert probs == (reason,)
    assert words_id in coords.problems_message(probs)
    assert words_en in coords.problems_message(probs, lang="en")
    assert coords.explain_missing(("zero_coordinates",), reason) == ("zero_coordinates",)
