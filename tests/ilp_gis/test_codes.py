"""Area codes: every spelling planners produce, two systems never mixed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ilp_gis import codes
from ilp_gis.codes import BPS, KEMENDAGRI, normalize_code, normalize_many, parent_code


@pytest.mark.parametrize("value, code, system, level, problems", [
    ("53.10.01.2001", "53.10.01.2001", KEMENDAGRI, "desa", ()),
    ("35.07.01.1005", "35.07.01.1005", KEMENDAGRI, "desa", ()),
    ("35.07", "35.07", KEMENDAGRI, "kabupaten", ()),
    ("35.07.01", "35.07.01", KEMENDAGRI, "kecamatan", ()),
    ("53-10-01-2001", "53.10.01.2001", KEMENDAGRI, "desa", ()),
    ("53 10 01 2001", "53.10.01.2001", KEMENDAGRI, "desa", ()),
    (" 53.10.01.2001 ", "53.10.01.2001", KEMENDAGRI, "desa", ()),
    ("53.10.1.2001", "53.10.01.2001", KEMENDAGRI, "desa", ("padded",)),
    ("'53.10.01.2001", "53.10.01.2001", KEMENDAGRI, "desa", ("stray_characters",)),
    ("Kode: 53.10.01.2001.", "53.10.01.2001", KEMENDAGRI, "desa", ("stray_characters",)),
    ("5310010001", "5310010001", BPS, "desa", ("assumed_system",)),
    ("3507", "3507", BPS, "kabupaten", ("assumed_system",)),
    ("3507010", "3507010", BPS, "kecamatan", ("assumed_system",)),
    ("35 07 010 001", "3507010001", BPS, "desa", ()),
    (5310010001, "5310010001", BPS, "desa", ("assumed_system",)),
    (5310010001.0, "5310010001", BPS, "desa", ("assumed_system",)),
    ("5310010001.0", "5310010001", BPS, "desa", ("assumed_system",)),
    (35.07, "35.07", KEMENDAGRI, "kabupaten", ()),
    (53.1, "53.10", KEMENDAGRI, "kabupaten", ("excel_trailing_zero",)),
    ("350701", "35.07.01", KEMENDAGRI, "kecamatan", ("assumed_system",)),
])
def test_spellings(value, code, system, level, problems):
    res = normalize_code(value)
    assert (res.code, res.system, res.level, res.problems) == (code, system, level, problems)


def test_declared_kemendagri_splits_plain_digits():
    res = normalize_code("5310012001", system=KEMENDAGRI)
    assert (res.code, res.system, res.problems) == ("53.10.01.2001", KEMENDAGRI, ("dots_added",))
    assert res.status == "fixed" and "tanpa titik" in res.message()
    assert res.is_kelurahan is False
    assert normalize_code(3507011005, system=KEMENDAGRI).is_kelurahan is True


def test_declared_bps_plain_digits_are_clean():
    res = normalize_code("3507010001", system=BPS)
    assert (res.code, res.system, res.problems, res.status) == ("3507010001", BPS, (), "imported")


def test_never_converted_but_mismatch_reported():
    res = normalize_code("35.07.01.2001", system=BPS)
    assert res.code == "35.07.01.2001" and res.system == KEMENDAGRI
    assert res.problems == ("system_mismatch",) and res.status == "doubtful"
    assert "bukan sistem yang ditetapkan" in res.message()


def test_declared_kemendagri_with_bps_desa_part_is_rejected():
    # a BPS desa code read in a Kemendagri column: desa part 0001 does not start with 1/2
    res = normalize_code("3507010001", system=KEMENDAGRI)
    assert not res.ok and res.problems == ("bad_desa_part",)
    assert "harus diawali 1" in res.message()
    assert "must start with 1" in res.message(lang="en")


@pytest.mark.parametrize("value, problem", [
    (None, "empty"), ("", "empty"), ("   ", "empty"), (float("nan"), "empty"),
    ("abc", "unreadable"), ("53.1O.01.2001", "unreadable"), ("123456789", "bad_length"),
    ("12345678901", "bad_length"), ("05.10.01.2001", "bad_province"), (True, "unreadable"),
    ("53.10.01.2001.5", "unreadable"), (-5.0, "unreadable"), (1.5e12, "bad_length"),
])
def test_unusable(value, problem):
    res = normalize_code(value)
    assert not res.ok and res.code is None
    assert problem in res.problems
    assert res.status == "skipped"
    if problem != "empty":
        assert res.message()


def test_wrong_level_is_doubtful():
    res = normalize_code("35.07.01", level="desa")
    assert res.ok and res.problems == ("wrong_level",) and res.status == "doubtful"
    assert "kecamatan" in res.message()


def test_original_kept():
    assert normalize_code(5310010001.0).original == "5310010001.0"
    assert normalize_code("53-10-01-2001").original == "53-10-01-2001"


def test_parent_codes():
    assert parent_code("53.10.01.2001", KEMENDAGRI, "kecamatan") == "53.10.01"
    assert parent_code("53.10.01.2001", KEMENDAGRI, "kabupaten") == "53.10"
    assert parent_code("5310010001", BPS, "kecamatan") == "5310010"
    assert parent_code("5310010001", BPS, "kabupaten") == "5310"


def test_normalize_many_caches_and_keeps_order():
    out = normalize_many(["35.07", 3507.0, None, "35.07"])
    assert [r.code for r in out] == ["35.07", "3507", None, "35.07"]


@given(st.one_of(st.text(max_size=30), st.integers(), st.floats(), st.none()))
def test_never_raises(value):
    res = normalize_code(value)
    assert isinstance(res, codes.CodeResult)
    assert res.ok == (res.code is not None)
    assert isinstance(res.message(), str)


@pytest.mark.parametrize("value, system, level", [
    ("35.07.01.2001", None, None), ("35.07.01.2001", None, "kecamatan"),
    ("35.07", KEMENDAGRI, "kabupaten"), ("3507010001", BPS, "desa"), ("3507", BPS, "desa"),
    ("35.07.01.2001", BPS, None), ("05.07", None, None), ("3507010001", None, None),
])
def test_fast_path_equals_general_reader(value, system, level):
    assert normalize_many([value], system=system, level=level)[0] == \
        normalize_code(value, system=system, level=level)


_CODE_TEXT = st.text(alphabet="0123456789.12 ٣-", max_size=14)
_CODE_VALUES = st.one_of(st.none(), _CODE_TEXT, st.sampled_from(["35", "35.07", "3507",
                                                                 "35.07.01.2001", "٣٥.٠٧"]),
                         st.integers(), st.floats(allow_nan=True))
_SYSTEMS = st.sampled_from([None, KEMENDAGRI, BPS])
_LEVELS = st.sampled_from([None, "provinsi", "kabupaten", "kecamatan", "desa"])


@given(st.lists(_CODE_VALUES, max_size=20), _SYSTEMS, _LEVELS)
def test_many_equals_one_by_one(values, system, level):
    """The fast path for clean codes and the cache of distinct values change nothing."""
    from ilp_gis.codes import _clean_result

    assert normalize_many(values, system=system, level=level) == \
        [normalize_code(v, system=system, level=level) for v in values]
    for v in values:
        fast = _clean_result(v, system, level)
        assert fast is None or fast == normalize_code(v, system=system, level=level)


@given(st.lists(_CODE_VALUES, max_size=20), _SYSTEMS, _LEVELS)
def test_clean_mask_marks_what_the_reader_keeps(values, system, level):
    from ilp_gis.codes import clean_mask

    for v, m in zip(values, clean_mask(values, system=system, level=level), strict=True):
        if m:
            r = normalize_code(v, system=system, level=level)
            assert (r.code, r.problems) == (v, ()), (v, system, level)


def test_clean_mask_agrees_with_the_reader():
    from ilp_gis.codes import clean_mask

    values = ["35.07.01.2001", "35.07.01", "3507010001", "35.7.01.2001", " 35.07", 3507.0,
              None, "05.07", "35.07.01.3001", "3507", "35", "99.01"]
    for system in (None, KEMENDAGRI, BPS):
        for level in (None, "desa", "kabupaten"):
            mask = clean_mask(values, system=system, level=level)
            for v, m in zip(values, mask, strict=True):
                if m:  # clean → the general reader keeps it unchanged, without problems
                    r = normalize_code(v, system=system, level=level)
                    assert (r.code, r.problems) == (v, ()), (v, system, level)


def test_tiny_float_is_unreadable_not_a_crash():
    r = normalize_code(1e-06)
    assert r.problems == ("unreadable",) and r.code is None


@given(st.lists(st.one_of(st.none(), st.text(alphabet="0123456789.12 \n٣a", max_size=14),
                          st.integers(), st.floats(allow_nan=True)), max_size=25))
def test_clean_mask_is_a_plain_full_match(values):
    """The vectorised test equals a full match of the clean pattern (ASCII digits only) plus
    the level's dot count or length, value by value."""
    import re

    from ilp_gis.codes import _CLEAN_PATTERNS, _LEVEL_DIGITS, _LEVEL_DOTS, clean_mask

    for system in (None, BPS):
        kind = BPS if system == BPS else KEMENDAGRI
        for level in (None, "desa", "kecamatan", "kabupaten"):
            got = clean_mask(values, system=system, level=level)
            want = []
            for v in values:
                ok = isinstance(v, str) and re.fullmatch(_CLEAN_PATTERNS[kind], v,
                                                         re.ASCII) is not None
                if ok and level is not None:
                    ok = v.count(".") == _LEVEL_DOTS[level] if kind == KEMENDAGRI else \
                        len(v) == _LEVEL_DIGITS[level]
                want.append(ok)
            assert got.tolist() == want, (system, level)
