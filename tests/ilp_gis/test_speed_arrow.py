"""ilp_gis.speed.arrow gives the same answers as the plain pandas and Python it stands for."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ilp_gis.speed.arrow import map_values, positions, stable_order

TEXT = st.one_of(st.none(), st.sampled_from(["35.07.01.2001", "35.07.01.2002", "a", "", "ä"]))


@given(st.lists(TEXT, max_size=30), st.lists(TEXT.filter(lambda v: v is not None), max_size=8,
                                             unique=True))
def test_text_keys_match_get_indexer(keys, index):
    want = pd.Index(index, dtype=object).get_indexer(np.asarray(keys, dtype=object))
    np.testing.assert_array_equal(positions(np.asarray(keys, dtype=object), pd.Index(index)),
                                  want)
    np.testing.assert_array_equal(positions(pd.Series(keys, dtype="str"), pd.Index(index)),
                                  want)


def test_duplicated_index_answers_the_first_occurrence():
    assert positions(pd.Series(["b", "a", "z"]), pd.Index(["a", "b", "a"])).tolist() == [1, 0, -1]
    assert positions(pd.Series([2, 1, 9]), pd.Index([1, 2, 1])).tolist() == [1, 0, -1]


def test_mixed_and_numeric_keys():
    idx = pd.Index([1, "1", 2.5], dtype=object)
    assert positions(pd.Series([1, "1", 2.5, None], dtype=object), idx).tolist() == [0, 1, 2, -1]


def test_map_values_keeps_values_and_dtype():
    lookup = pd.Series(pd.array([1, None, 3], dtype="Int64"), index=["a", "b", "c"])
    keys = pd.Series(["c", "x", "a", None, "b"], index=[10, 11, 12, 13, 14])
    got = map_values(keys, lookup)
    assert got.dtype == "Int64"
    assert got.index.tolist() == [10, 11, 12, 13, 14]
    assert got.tolist() == [3, pd.NA, 1, pd.NA, pd.NA]


_PATTERNS = [r"(?:1[1-9]|[2-9]\d)\.\d{2}(?:\.\d{2})?", r"[0-9]+", r"a|b\s", r"\d{2,3}[a-c]?"]


@given(st.lists(st.one_of(st.none(), st.integers(), st.floats(),
                          st.text(alphabet="0123456789.ab \n٣ä", max_size=10)), max_size=25),
       st.sampled_from(_PATTERNS))
def test_full_match_is_an_ascii_fullmatch(values, pattern):
    import re

    from ilp_gis.speed.arrow import full_match

    want = [isinstance(v, str) and re.fullmatch(pattern, v, re.ASCII) is not None
            for v in values]
    assert full_match(values, pattern).tolist() == want


def plain_rewrite(texts, *steps):
    """The reference: the same steps with Python's str methods and re.sub."""
    import re

    out = []
    for t in texts:
        for step in steps:
            if step == "lower":
                t = t.lower()
            elif step == "trim":
                t = t.strip()
            else:
                t = re.sub(step[0], step[1], t, flags=re.ASCII)
        out.append(t)
    return out


# Letters whose lower case is one letter in both Unicode tables (Python's str.lower gives
# "i̇" for "İ", Arrow "i"), white space both call white space.
_NAME_TEXT = st.text(alphabet="AaBbZz09 \t\n.,-/()'ÄäÉéßPUSKESMASpustu", max_size=24)


@given(st.lists(_NAME_TEXT, max_size=20))
def test_rewrite_equals_python_string_methods(texts):
    from ilp_gis.speed.arrow import rewrite

    steps = ("lower", (r"[^0-9a-z ]+", " "), (r"\s+", " "), "trim",
             (r"^(uptd\s+|upt\s+)?(puskesmas|pkm|pustu)\s+", ""), "trim")
    assert rewrite(texts, *steps).tolist() == plain_rewrite(texts, *steps)
    assert rewrite(texts, "trim", ("[a-c]", "X")).tolist() == plain_rewrite(
        texts, "trim", ("[a-c]", "X"))


_SPELLINGS = ["-7.5", "112", None, "", " 5.5 ", "1e3", "abc", "7,5", "+3", "inf", "nan", "-0",
              "007.25", "1.", ".5", "٣", "-7.123456789012345678"]


@given(st.lists(st.one_of(st.sampled_from(_SPELLINGS), st.none(), st.text(max_size=12),
                          st.from_regex(r"-?[0-9]{1,3}\.[0-9]{1,17}", fullmatch=True)),
                max_size=30))
def test_text_column_reads_as_pandas_does(values):
    """The vectorised reading of a text column gives what pandas' to_numeric gives (the sign of
    a zero aside, which pandas itself decides by the rest of the column; 0 is rejected anyway)."""
    import numpy as np
    import pandas as pd

    from ilp_gis.speed.arrow import to_float

    raw = pd.Series(values, dtype=object)
    got = to_float(raw)
    want = np.array(pd.to_numeric(raw, errors="coerce"), dtype=float)
    assert np.array_equal(got, want, equal_nan=True)


@given(st.lists(TEXT, max_size=30),
       st.dictionaries(st.sampled_from(["35.07.01.2001", "35.07.01.2002", "a", "", "ä"]),
                       st.integers(-5, 5), min_size=1, max_size=5))
def test_map_values_equals_series_map(keys, table):
    """Same values and dtype as ``Series.map`` (for an empty lookup pandas gives float64 even
    from an Int64 lookup; ``map_values`` keeps the lookup's dtype, so that case is left out)."""
    for values in (pd.Series(list(table.values()), index=list(table), dtype="int64"),
                   pd.Series(list(table.values()), index=list(table), dtype="Int64"),
                   pd.Series([str(v) for v in table.values()], index=list(table), dtype=object)):
        k = pd.Series(keys, dtype=object, index=range(100, 100 + len(keys)))
        got = map_values(k, values)
        want = k.map(values)
        pd.testing.assert_series_equal(got, want, check_dtype=len(keys) > 0)


@given(st.lists(st.tuples(TEXT, st.sampled_from([1.0, -0.0, 0.0, np.nan, 2.5]),
                          st.one_of(st.none(), st.sampled_from(["b", "a", "ä", "z"]))),
                max_size=30))
def test_stable_order_is_pandas_stable_sort(rows):
    frame = pd.DataFrame(rows, columns=["code", "value", "fac"])
    frame["code"] = frame["code"].astype("str")  # Arrow-backed texts, missing as NaN
    frame["fac"] = frame["fac"].astype(object)  # plain objects, missing as None
    want = frame.sort_values(["code", "value", "fac"], kind="stable",
                             na_position="last").index.to_numpy()
    np.testing.assert_array_equal(stable_order(frame, ["code", "value", "fac"]), want)


def test_stable_order_of_worked_rows():
    # "b" < "ä" by code point; missing last; ties keep their row order (rows 0 and 3)
    frame = pd.DataFrame({"k": ["ä", None, "b", "ä"], "v": [1.0, 0.0, np.nan, 1.0]})
    assert stable_order(frame, ["k", "v"]).tolist() == [2, 0, 3, 1]
    mixed = pd.DataFrame({"k": [2, "a", 1]}, dtype=object)  # no Arrow type: pandas sorts
    with pytest.raises(TypeError):
        mixed.sort_values("k")
    with pytest.raises(TypeError):
        stable_order(mixed, ["k"])
