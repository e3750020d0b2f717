"""Coordinates as planners write them: every fix and rejection is reported."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ilp_gis.coords import fix_point, fix_points, parse_value

MALANG = (112.2, -8.5, 113.0, -7.7)


@pytest.mark.parametrize("value, number, axis", [
    ("-8,123", -8.123, None),
    ("-8.123", -8.123, None),
    ("7°56'12\" LS", -(7 + 56 / 60 + 12 / 3600), "lat"),
    ("7° 56' 12,5\" S", -(7 + 56 / 60 + 12.5 / 3600), "lat"),
    ("S 7 56 12.5", -(7 + 56 / 60 + 12.5 / 3600), "lat"),
    ("112°37'45\"BT", 112 + 37 / 60 + 45 / 3600, "lon"),
    ("112.63 E", 112.63, "lon"),
    ("3.5 LU", 3.5, "lat"),
    ("100 BB", -100.0, "lon"),
    (112.5, 112.5, None),
])
def test_parse_value(value, number, axis):
    v, a, _ = parse_value(value)
    assert v == pytest.approx(number) and a == axis


@pytest.mark.parametrize("value", ["abc", "7°70' LS", "1.2.3.4", "-7.5 LU", "12 XY", True])
def test_parse_value_unreadable(value):
    v, _, probs = parse_value(value)
    assert math.isnan(v) and "unreadable_coordinates" in probs


def test_clean_point_ok():
    r = fix_point(112.63, -8.17)
    assert (r.lon, r.lat, r.status, r.problems) == (112.63, -8.17, "ok", ())


def test_comma_decimal_fixed():
    r = fix_point("112,63", "-8,17")
    assert (r.lon, r.lat, r.status) == (112.63, -8.17, "fixed")
    assert "koma desimal" in r.message()


def test_swap_detected_by_indonesia():
    r = fix_point(-8.17, 112.63)
    assert (r.lon, r.lat, r.status, r.problems) == (112.63, -8.17, "fixed",
                                                    ("swapped_coordinates",))
    assert "tertukar" in r.message() and "swapped" in r.message(lang="en")


def test_swap_detected_by_study_area():
    # (0.9, 101.4) is valid Indonesia (Riau) but the swap is inside the study area? no: use
    # a pair where both orders are plausible numbers but only one is in the area
    r = fix_point(-8.17, 112.63, area_bbox=MALANG)
    assert (r.lon, r.lat) == (112.63, -8.17)


def test_hemisphere_letters_swap():
    r = fix_point("8°10' LS", "112°38' BT")
    assert r.lon == pytest.approx(112 + 38 / 60) and r.lat == pytest.approx(-(8 + 10 / 60))
    assert "swapped_coordinates" in r.problems and r.status == "fixed"


def test_missing_minus_sign():
    r = fix_point(112.63, 8.17, area_bbox=MALANG)
    assert (r.lon, r.lat, r.problems) == (112.63, -8.17, ("missing_minus_sign",))
    assert "minus" in r.message()


@pytest.mark.parametrize("lon, lat, problem", [
    (None, None, "missing_coordinates"),
    ("", "-8.1", "missing_coordinates"),
    (0, 0, "zero_coordinates"),
    ("0", "0", "zero_coordinates"),
    (680000, 9100000, "projected_coordinates"),
    (2.35, 48.85, "outside_indonesia"),
    ("abc", "-8.1", "unreadable_coordinates"),
])
def test_rejected(lon, lat, problem):
    r = fix_point(lon, lat)
    assert r.status == "rejected" and problem in r.problems
    assert math.isnan(r.lon) and math.isnan(r.lat)
    assert r.message()


def test_outside_study_area_is_doubtful_but_kept():
    r = fix_point(106.8, -6.2, area_bbox=MALANG)
    assert (r.lon, r.lat, r.status, r.problems) == (106.8, -6.2, "doubtful",
                                                    ("outside_study_area",))


def test_vectorised_mixed_column():
    out = fix_points([112.6, "112,6", None, -8.1], [-8.1, "-8,1", None, 112.6])
    assert list(out["status"]) == ["ok", "fixed", "rejected", "fixed"]
    assert out["lon"].iloc[3] == 112.6


@given(st.one_of(st.none(), st.text(max_size=20), st.floats(), st.integers()),
       st.one_of(st.none(), st.text(max_size=20), st.floats(), st.integers()))
def test_never_raises(lon, lat):
    r = fix_point(lon, lat)
    assert r.status in ("ok", "fixed", "doubtful", "rejected")
    if r.status == "rejected":
        assert math.isnan(r.lon)
    else:
        assert 94 <= r.lon <= 142 and -11.5 <= r.lat <= 6.5
