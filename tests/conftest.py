"""Shared fixtures: the bundled sample district and the real public district (when present)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# the throwaway PostgreSQL + PostGIS server of the shared-store tests, for every test folder
pytest_plugins = ("tests.layers.pgstore.fixtures",)

# Tests never assert time: no per-example deadline (a loaded CI machine made a 16 ms example
# take 307 ms and fail as "flaky").
settings.register_profile("ilp_gis", deadline=None)
settings.load_profile("ilp_gis")

REPO = Path(__file__).resolve().parents[1]
SAMPLE_DIR = REPO / "sample_data"
SAMPLE_PROJECT = SAMPLE_DIR / "kabupaten_contoh.gpkg"
REAL_DATA = Path(os.environ.get("ILP_GIS_REAL_DATA", REPO.parent / "shared" / "real_data"))
REAL_MALANG = REAL_DATA / "kabupaten_malang"
REAL_SAROLANGUN = REAL_DATA / "kabupaten_sarolangun"


@pytest.fixture(autouse=True)
def _default_language():
    from ilp_gis.i18n import set_language

    set_language("id")
    yield
    set_language("id")


@pytest.fixture
def real_malang() -> Path:
    if not (REAL_MALANG / "desa.gpkg").exists():
        pytest.skip("real public data (../shared/real_data/kabupaten_malang) is not present")
    return REAL_MALANG


@pytest.fixture
def real_sarolangun() -> Path:
    if not (REAL_SAROLANGUN / "podes2019_desa.csv").exists():
        pytest.skip("real public data (../shared/real_data/kabupaten_sarolangun) is not present")
    return REAL_SAROLANGUN


@pytest.fixture
def sample_project_path() -> Path:
    if not SAMPLE_PROJECT.exists():
        pytest.skip("sample_data/kabupaten_contoh.gpkg not generated yet")
    return SAMPLE_PROJECT
