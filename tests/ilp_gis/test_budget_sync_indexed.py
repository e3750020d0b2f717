"""The indexed budget synchronisation gives the same tables as the per-line version it replaced
(``budget_sync_reference``): on the bundled sample district, on the tiny hand-made district and
on budgets shuffled and varied at random (pooled Puskesmas lines, later years, multi-year lines,
missing amounts, lines of a source that may not pay for their activity)."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from ilp_gis.budget import budget_sync
from ilp_gis.project import Project
from tests.ilp_gis.budget_sync_reference import reference_budget_sync

TABLES = ("gap_funding", "desa_funding", "totals", "unfunded", "lines", "actions", "phasing")


def _assert_same(project, result) -> None:
    new = budget_sync(project, result)
    old = reference_budget_sync(project, result)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(new, name), getattr(old, name), check_exact=True,
                                      obj=name)
    assert new.counts == old.counts and new.action_counts == old.action_counts


@pytest.fixture(scope="module")
def sample():
    from ilp_gis.analysis import analyze
    from layers.project_file import open_project
    from tests.conftest import SAMPLE_PROJECT

    if not SAMPLE_PROJECT.exists():
        pytest.skip("the bundled sample project is not generated")
    project = open_project(SAMPLE_PROJECT)
    return project, analyze(project)


def test_the_bundled_sample_gets_the_same_tables(sample):
    project, result = sample
    assert len(project.budget) > 100  # the sample has a real budget to match
    _assert_same(project, result)


def test_the_tiny_district_gets_the_same_tables():
    from tests.reports.fixtures import make_result, tiny_project

    project = tiny_project()
    _assert_same(project, make_result(project))


@pytest.mark.parametrize("seed", range(6))
def test_varied_budgets_of_the_sample_get_the_same_tables(sample, seed):
    """Lines shuffled, years moved, some multi-year, some amounts missing or tiny, sources and
    targets swapped: every branch of the matching and of the sharing-out is exercised."""
    project, result = sample
    rnd = random.Random(seed)
    b = project.budget.copy().sample(frac=1.0, random_state=seed).reset_index(drop=True)
    n = len(b)
    b["year"] = [rnd.choice([2026, 2027, 2028, None]) for _ in range(n)]
    b["multi_year"] = [rnd.random() < 0.3 for _ in range(n)]
    b["amount"] = [None if rnd.random() < 0.1 else rnd.choice([1e6, 5e7, 3e8, 2e9])
                   for _ in range(n)]
    sources = list(dict.fromkeys(b["source"].dropna())) or ["bok"]
    b["source"] = [rnd.choice(sources) if rnd.random() < 0.3 else s for s in b["source"]]
    puskesmas = project.facilities.loc[project.facilities["type"].str.lower() == "puskesmas",
                                       "fac_id"].tolist()
    pooled = [i for i in range(n) if rnd.random() < 0.15]
    for i in pooled:  # a line for a Puskesmas's whole working area
        b.loc[i, "target_facility"] = rnd.choice(puskesmas)
        b.loc[i, "target_desa"] = None
    varied = Project(layers={**project.layers, "budget": b}, meta=project.meta,
                     rules=project.rules)
    _assert_same(varied, result)


def _random_gaps(seed: int) -> pd.DataFrame:
    """Gaps of every fundable kind (and one that is not) over a few desa, Pustu and COE, with
    missing places, labels, ranks and figures, repeated gap ids and kecamatan-only gaps."""
    rnd = random.Random(seed)
    kinds = ["no_pustu", "beyond_distance", "beyond_travel_time", "understaffed_pustu",
             "kader_deficit", "posyandu_deficit", "coe_below_threshold", "no_puskesmas",
             "network_problem"]
    rows = []
    for i in range(rnd.randint(0, 60)):
        kind = rnd.choice(kinds)
        rows.append({
            "gap_id": rnd.choice([f"G{i}", f"G{i}", "G0"]),
            "kind": kind,
            "desa_code": rnd.choice(["D1", "D2", "D3", None, ""]),
            "desa_name": rnd.choice(["Satu", "Dua", None]),
            "kecamatan_code": rnd.choice(["K1", "K2", None]),
            "kecamatan_name": rnd.choice(["Kec", None]),
            "fac_id": rnd.choice(["P1", "P2", "C1", None]),
            "value": rnd.choice([0.0, 1.0, 2.5, 7.0, None]),
            "threshold": rnd.choice([1.0, 3.0, 5.0, 0.5, None]),
            "label": rnd.choice(["Label", "Lain", None]),
            "limit_type": rnd.choice(["pustu", "puskesmas", None]),
            "posyandu_deficit": rnd.choice([0.0, 1.0, 3.0, None]),
            "priority_rank": rnd.choice([1, 2, 5, None]),
            "priority_score": rnd.choice([0.1, 0.9, float("inf"), None]),
        })
    frame = pd.DataFrame(rows, columns=["gap_id", "kind", "desa_code", "desa_name",
                                        "kecamatan_code", "kecamatan_name", "fac_id", "value",
                                        "threshold", "label", "limit_type", "posyandu_deficit",
                                        "priority_rank", "priority_score"])
    frame["priority_rank"] = pd.array(frame["priority_rank"], dtype="Int64")
    return frame


@pytest.mark.parametrize("seed", range(12))
def test_actions_worked_out_by_column_equal_the_per_gap_version(seed):
    """The column-wise derive_actions gives the per-gap version's actions and gap → action
    map on random gap tables (every kind, missing places and figures, repeated ids)."""
    from ilp_gis.budget.actions import derive_actions
    from ilp_gis.rules import default_rules
    from tests.ilp_gis.budget_sync_reference import reference_derive_actions

    gaps = _random_gaps(seed)
    precursor = {"D2"} if seed % 2 else set()
    new, new_of = derive_actions(gaps, default_rules(), precursor_desa=precursor)
    old, old_of = reference_derive_actions(gaps, default_rules(), precursor_desa=precursor)
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    assert list(new_of.items()) == list(old_of.items())
    fundable = gaps[gaps["kind"] != "network_problem"]
    assert set(new_of.index) == {str(g) for g in fundable["gap_id"]}
    assert new["n_gaps"].sum() == len(fundable)
