"""The siting planner respects the location rule: a facility known only by its desa is no
existing reach (unless the rules place it at its desa point), its desa still has it (no new
Pustu there), a Poskesdes known only by its desa can be upgraded but reaches nobody — and the
scenario's re-analysis still finds exactly the planner's gain."""

from __future__ import annotations

from itertools import chain, combinations

import pytest

from ilp_gis import scenario, siting
from ilp_gis.siting import models
from ilp_gis.siting.plan import _result
from tests.ilp_gis.test_siting_agree import _district

POPS = [1000, 2000, 3000, 4000]  # D1..D4, centres 4 km apart


def _project(place: bool):
    # D1 has a Pustu and D3 a Poskesdes, both known only by their desa
    proj = _district(POPS, existing=[0], precursors=[2])
    fac = proj.facilities
    fac["location_quality"] = "desa"
    proj.layers["facilities"] = fac
    proj.rules = proj.rules.with_values(coverage__place_desa_facilities=1.0 if place else 0.0)
    return proj


def _by_kind(c):
    return {(k, d) for k, d in zip(c["kind"], c["desa_code"], strict=True)}


def _planner_equals_scenario_for_every_subset(proj, problem):
    n = len(problem.candidates)
    everything = list(range(n))
    res = _result(problem, everything, 0.0, "exact", "", 0.0, 0.0, 0.0, 0.0, None, None)
    row_of = {c: i for i, c in enumerate(res.sites["cand_id"])}
    for subset in chain.from_iterable(combinations(everything, r) for r in range(1, n + 1)):
        rows = [row_of[problem.candidates["cand_id"].iloc[j]] for j in subset]
        fake = type(res)(res.sites.iloc[rows], 0.0, 0.0, "exact", "", 0.0, 0.0, 0.0, 0.0,
                         None, None, problem)
        scenario.set_scenario(proj, "L", scenario.actions_from_siting(fake),
                              measure=problem.measure)
        gained = float(scenario.run_scenario(proj, "L").total["pop_newly_covered"])
        assert gained == pytest.approx(siting.objective(problem, list(subset)), abs=1e-6), subset


def test_desa_level_facilities_left_out_of_reach_but_their_desa_has_its_pustu():
    proj = _project(place=False)
    p = siting.build_problem(proj, limit_km=3.0)
    # the desa-level Pustu of D1 reaches nobody: all 10,000 people are still to be covered
    assert p.population_covered_before == 0.0
    assert p.population_uncovered == 10_000.0
    # D1 has its Pustu (no build there); D3 has only a Poskesdes: build or upgrade it
    assert _by_kind(p.candidates) == {("build", "11.01.01.2002"), ("build", "11.01.01.2003"),
                           ("build", "11.01.01.2004"), ("upgrade", "11.01.01.2003")}
    up = int((p.candidates["kind"] == "upgrade").to_numpy().nonzero()[0][0])
    assert siting.objective(p, [up]) == 0.0  # known only by its desa: reaches nobody
    assert any("tanpa koordinat" in n or "without coordinates" in n for n in p.notes)
    # least cost for every desa: upgrade PK3 (cheaper), build in D2 and D4
    rules = proj.rules
    ans = models.every_desa(p)
    assert _by_kind(p.candidates.iloc[ans.chosen]) == {("build", "11.01.01.2002"), ("upgrade", "11.01.01.2003"),
                      ("build", "11.01.01.2004")}
    assert ans.value == pytest.approx(2 * rules.value("cost.build_pustu")
                                      + rules.value("cost.upgrade_pustu"))
    _planner_equals_scenario_for_every_subset(proj, p)


def test_placed_desa_level_facilities_count_at_their_desa_point():
    proj = _project(place=True)
    p = siting.build_problem(proj, limit_km=3.0)
    assert p.population_covered_before == 1000.0  # D1's Pustu at D1's point
    up = int((p.candidates["kind"] == "upgrade").to_numpy().nonzero()[0][0])
    assert siting.objective(p, [up]) == 3000.0  # the upgraded Poskesdes at D3's point
    assert any("perkiraan" in n or "estimate" in n for n in p.notes)
    _planner_equals_scenario_for_every_subset(proj, p)
