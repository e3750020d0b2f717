"""Equal texts of the app's frames become one object each; values, dtype and missing cells stay."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ui import heap
from ui.frame_memory import share_texts


def test_equal_texts_become_one_object_and_nothing_else_changes():
    n = 3_000
    kinds = ["".join(("pus", "kesmas")) if i % 3 == 0 else "".join(("pus", "tu")) for i in range(n)]
    kinds[7] = None
    kinds[8] = np.nan
    names = [f"Posyandu {i}" for i in range(n)]  # all distinct: left alone
    frame = pd.DataFrame({"type": pd.Series(kinds, dtype=object),
                          "name": pd.Series(names, dtype=object),
                          "beds": np.arange(n, dtype=float),
                          "codes": pd.Series([i % 4 for i in range(n)], dtype=object)})
    before = frame.copy()
    assert frame["type"][0] is not frame["type"][3]  # two objects of one text
    assert share_texts(frame) == 1
    pd.testing.assert_frame_equal(frame, before)
    assert frame["type"][0] is frame["type"][3] and frame["type"][1] is frame["type"][2]
    assert frame["type"][7] is None and isinstance(frame["type"][8], float)
    assert frame["name"][0] is before["name"][0]


def test_small_frames_are_left_as_they_are():
    frame = pd.DataFrame({"type": ["a", "a"]})
    assert share_texts(frame) == 0


def test_trim_answers_on_every_platform():
    assert heap.trim() in (True, False)
