"""Fixtures of the report tests: a tiny hand-made district and its analysis result."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.reports.fixtures import make_result, tiny_project

DATE = dt.date(2026, 11, 23)


@pytest.fixture(scope="session")
def tiny():
    project = tiny_project()
    return project, make_result(project)


@pytest.fixture(scope="session")
def straddling():
    """The same district moved so it straddles longitude 120° (UTM zones 50 and 51)."""
    project = tiny_project(lon0=119.95, lat0=-8.70)
    return project, make_result(project)
