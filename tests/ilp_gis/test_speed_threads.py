"""ilp_gis.speed.threads: a background call gives what the plain call gives, and the process's
switch interval comes back however the calls end."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ilp_gis.speed.threads import in_background


def plain(fn, *args):
    """The reference: the same call in the caller's thread."""
    return fn(*args)


def _sum_or_fail(values, fail):
    if fail:
        raise ValueError(f"asked to fail on {len(values)} values")
    return sorted(values), sum(values)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.integers(), max_size=20), min_size=1, max_size=4),
       st.lists(st.booleans(), min_size=4, max_size=4))
def test_background_equals_plain_and_restores_switching(batches, fails):
    before = sys.getswitchinterval()
    futures = [in_background(_sum_or_fail, b, f) for b, f in zip(batches, fails, strict=False)]
    for fut, b, f in zip(futures, batches, fails, strict=False):
        if f:
            with pytest.raises(ValueError) as got:
                fut.result(timeout=10)
            with pytest.raises(ValueError) as want:
                plain(_sum_or_fail, b, f)
            assert str(got.value) == str(want.value)
        else:
            assert fut.result(timeout=10) == plain(_sum_or_fail, b, f)
    for fut in futures:  # the thread may still be leaving its switching block
        fut.exception(timeout=10)
    _wait_for_idle()
    assert sys.getswitchinterval() == before


def test_switching_is_faster_only_while_work_runs():
    import threading

    before = sys.getswitchinterval()
    gate = threading.Event()
    seen = []
    fut = in_background(lambda: (gate.wait(10), seen.append(sys.getswitchinterval())))
    gate.set()
    fut.result(timeout=10)
    _wait_for_idle()
    assert seen[0] <= min(before, 0.0005)
    assert sys.getswitchinterval() == before


def _wait_for_idle():
    import time

    from ilp_gis.speed import threads

    for _ in range(1000):
        if threads._SWITCH["active"] == 0:
            return
        time.sleep(0.001)
