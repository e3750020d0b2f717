from __future__ import annotations

import datetime as dt

import pytest

from ilp_gis.errors import RulesError
from ilp_gis.i18n import (
    format_date,
    format_number,
    format_percent,
    format_rupiah,
    language,
    register,
    set_language,
    tr,
)
from ilp_gis.rules import default_rules, load_rules, parse_rules


def test_indonesian_and_english_number_formats():
    assert format_number(1234.5, 1, lang="id") == "1.234,5"
    assert format_number(1234.5, 1, lang="en") == "1,234.5"
    assert format_rupiah(1250000, lang="id") == "Rp 1.250.000"
    assert format_rupiah(1250000, lang="en") == "Rp 1,250,000"
    assert format_percent(0.875, lang="id") == "87,5%"
    assert format_date(dt.date(2026, 11, 23), lang="id") == "23 November 2026"
    assert format_date(dt.date(2026, 8, 17), lang="id") == "17 Agustus 2026"
    assert format_number(None) == "–"
    assert format_number(float("nan")) == "–"


def test_tr_switches_language_and_formats_numbers():
    register({"test.hello": ("Ada {n} desa", "There are {n} desa")})
    assert tr("test.hello", n=1234) == "Ada 1.234 desa"
    with language("en"):
        assert tr("test.hello", n=1234) == "There are 1,234 desa"
    set_language("en")
    assert tr("test.hello", n=2) == "There are 2 desa"
    assert tr("test.unknown.key") == "test.unknown.key"


def test_register_conflict_is_an_error():
    register({"test.same": ("a", "b")})
    register({"test.same": ("a", "b")})
    with pytest.raises(ValueError, match="twice"):
        register({"test.same": ("c", "d")})


def test_default_rules_have_value_unit_source():
    rules = default_rules()
    assert rules["target.pustu_per_desa"] == 1
    assert rules["target.coe_threshold"] == 0.8
    assert rules["target.posyandu_min_kader"] == 5
    assert rules.group("speed")["arteri"] == 60
    for rule in rules.all():
        assert rule.unit and rule.source, rule.name


def test_partial_rules_file_keeps_defaults(tmp_path):
    f = tmp_path / "r.toml"
    f.write_text("[limit.pustu_distance_km]\nvalue = 3\n", "utf-8")
    rules = load_rules(f)
    assert rules["limit.pustu_distance_km"] == 3
    assert rules["target.posyandu_min_kader"] == 5


@pytest.mark.parametrize("text, match", [
    ("[limit.x]\nvalue = 'lima'\n", "bukan angka"),
    ("[limit.x]\nvalue = -1\n", "negatif"),
    ("[limit.x\nvalue = 1\n", "TOML"),
    ("[limit.x]\nunit = 'km'\n", "value"),
])
def test_bad_rules_files_say_what_is_wrong(text, match):
    with pytest.raises(RulesError, match=match):
        parse_rules(text, origin="aturan.toml")


def test_missing_rules_file(tmp_path):
    with pytest.raises(RulesError, match="tidak dapat dibaca"):
        load_rules(tmp_path / "nope.toml")
