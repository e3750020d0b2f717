"""Map layers of features without keys of their own (road lines, network links) number them
when asked (a nation's 959,000 roads keep no key strings), with the keys a key column gave;
their key -> position index is made when first asked for (every other layer's with it)."""

from __future__ import annotations

import pytest

from ui.map.layers import NumberedKeys
from ui.state import key_of


def test_numbered_keys_are_the_keys_of_a_layer_without_a_key_column():
    import pandas as pd

    frame = pd.DataFrame({"road_class": ["a", "b", "c"]})
    keys = NumberedKeys(3)
    assert list(keys) == key_of(frame, "roads") == ["#0", "#1", "#2"]
    assert keys[1] == "#1" and keys[-1] == "#2" and keys[1:] == ["#1", "#2"] and len(keys) == 3
    assert [k for k, f in zip(keys, [True, False, True], strict=True) if f] == ["#0", "#2"]
    assert list(NumberedKeys(2, "")) == ["0", "1"]
    with pytest.raises(IndexError):
        keys[3]


def test_the_map_numbers_roads_and_links_and_indexes_keys_on_demand(qtbot, state):
    from ui.map.renderer import MapRenderer

    r = MapRenderer(state)
    roads = r.layers["roads"]
    assert isinstance(roads.keys, NumberedKeys) and len(roads.keys) == len(state.project.roads)
    assert "_key_index" not in roads.__dict__  # numbered: no index unless asked for
    assert roads.key_index["#0"] == 0 and roads.__dict__["_key_index"] is roads.key_index
    fac = r.layers["facilities"]
    assert "_key_index" in fac.__dict__  # made with the layer, in the worker that builds it
    assert fac.key_index[fac.keys[0]] == 0
    net = r.layers.get("network")
    if net is not None:
        assert list(net.keys)[:2] == ["0", "1"][:len(net.keys)]
