"""Rules carry their unit and source in Bahasa Indonesia beside the English (issue 17): the
report and the XLSX show the text of the chosen language; an English text edited in a
rules file drops the Indonesian default rather than showing a stale translation."""

from __future__ import annotations

from ilp_gis.i18n import language
from ilp_gis.rules import default_rules, parse_rules


def test_every_default_rule_has_both_languages():
    for rule in default_rules().all():
        assert rule.unit_id and rule.source_id, rule.name
        assert rule.unit_in("en") == rule.unit and rule.unit_in("id") == rule.unit_id


def test_ui_language_picks_the_text():
    rule = {r.name: r for r in default_rules().all()}["limit.pustu_distance_km"]
    with language("id"):
        assert rule.unit_in() == "km, garis lurus"
        assert rule.source_in().startswith("Asumsi perencanaan")
    with language("en"):
        assert rule.unit_in() == "km, straight line"


def test_edited_english_drops_the_default_translation_and_round_trips():
    rules = parse_rules('[limit.pustu_distance_km]\nvalue = 3\nunit = "km as the crow flies"\n'
                        'source = "Dinkes SK 12/2026"\nconfirmed = true\n', origin="mine.toml")
    rule = {r.name: r for r in rules.all()}["limit.pustu_distance_km"]
    assert rule.unit_id == "" and rule.unit_in("id") == "km as the crow flies"
    kept = {r.name: r for r in rules.all()}["limit.puskesmas_distance_km"]
    assert kept.unit_id == "km, garis lurus"  # untouched rules keep their default texts
    own = parse_rules('[limit.pustu_distance_km]\nvalue = 3\nunit = "km"\nunit_id = "km lurus"\n'
                      'source = "x"\nsource_id = "y"\nconfirmed = true\n', origin="own.toml")
    r = {x.name: x for x in own.all()}["limit.pustu_distance_km"]
    assert (r.unit_id, r.source_id) == ("km lurus", "y")
    changed = own.with_values(limit__pustu_distance_km=4.0)
    r2 = {x.name: x for x in changed.all()}["limit.pustu_distance_km"]
    assert r2.value == 4.0 and r2.unit_id == "km lurus"
