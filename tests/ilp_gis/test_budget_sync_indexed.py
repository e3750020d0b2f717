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
