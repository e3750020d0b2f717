import gc

import pytest

from ilp_gis.speed.collector import held_off


def test_the_collector_is_off_inside_and_on_again_after():
    assert gc.isenabled()
    with held_off():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_error_inside_still_gives_the_collector_back():
    with pytest.raises(RuntimeError), held_off():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_not_holding_leaves_it_on_and_someone_elses_hold_stays():
    with held_off(False):
        assert gc.isenabled()
    gc.disable()
    try:
        with held_off():
            assert not gc.isenabled()
        assert not gc.isenabled()  # held off by the caller before: stays off
    finally:
        gc.enable()
