"""The plan report's front matter (issue 17): budget year, preparing unit, logo, signature
block and a table of contents whose page numbers are the pages the sections start on; a
logo that is not a picture is refused before anything is written."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from PIL import Image

from ilp_gis.analysis import analyze
from ilp_gis.errors import InputError
from layers.project_file import open_project
from reports.pdf import build_report
from reports.pdf.front import FrontMatter

DATE = dt.date(2026, 12, 3)


@pytest.fixture(scope="module")
def sample(sample_project_path_module):
    project = open_project(sample_project_path_module)
    return project, analyze(project)


@pytest.fixture(scope="module")
def sample_project_path_module():
    from tests.conftest import SAMPLE_PROJECT

    if not SAMPLE_PROJECT.exists():
        pytest.skip("sample_data/kabupaten_contoh.gpkg not generated yet")
    return SAMPLE_PROJECT


def _pages(path):
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return reader, [p.extract_text() or "" for p in reader.pages]


def test_cover_signature_and_contents(sample, tmp_path):
    project, result = sample
    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 60), (26, 82, 118)).save(logo)
    path = build_report(project, result, tmp_path / "plan.pdf", date=DATE, front=FrontMatter(
        budget_year=2027, unit="Bidang Pelayanan Kesehatan", signer="dr. Sari Wulandari",
        signer_nip="19800101 200501 2 001", logo=logo))
    reader, pages = _pages(path)
    cover = pages[0]
    assert "Tahun Anggaran (TA) 2027" in cover  # a year, never "2.027"
    assert "Disusun oleh: Bidang Pelayanan Kesehatan" in cover
    assert "Mengetahui," in cover and "Kepala Dinas Kesehatan Kabupaten Contoh" in cover
    assert "dr. Sari Wulandari" in cover and "NIP 19800101 200501 2 001" in cover
    assert len(reader.pages[0].images) == 1  # the logo
    toc = pages[1]
    assert "Daftar isi" in toc
    body = toc.split("Daftar isi", 1)[1].splitlines()
    numbers = [int(m.group(1)) for line in body if (m := re.search(r"[.\s]{6,}(\d+)\s*$", line))]
    titles = [line.strip() for line in body if line.strip() and not re.match(r"^[.\s]+\d*$", line)
              and not re.search(r"[.\s]{6,}\d+\s*$", line)]
    assert len(numbers) == len(titles) >= 5
    assert numbers == sorted(numbers)
    for title, page in zip(titles, numbers, strict=True):
        start = pages[int(page) - 1]
        assert title.strip()[:25] in start, (title, page)


def test_cover_defaults_name_no_made_up_year(sample, tmp_path):
    project, result = sample
    path = build_report(project, result, tmp_path / "plan.pdf", date=DATE)
    _, pages = _pages(path)
    years = project.budget["year"].astype(int).value_counts()
    top = int(years[years == years.max()].index.max())
    assert f"Tahun Anggaran (TA) {top}" in pages[0]
    assert "Disusun oleh: Dinas Kesehatan Kabupaten Contoh" in pages[0]
    assert "(______________________________)" in pages[0]  # a line to sign on


def test_bad_logo_is_refused_and_nothing_written(sample, tmp_path):
    project, result = sample
    fake = tmp_path / "logo.png"
    fake.write_text("<svg onload=alert(1)>")
    out = tmp_path / "plan.pdf"
    with pytest.raises(InputError) as err:
        build_report(project, result, out, date=DATE, front=FrontMatter(logo=fake))
    assert "logo.png" in str(err.value) and "PNG atau JPEG" in str(err.value)
    assert not out.exists()
    gif = tmp_path / "logo.gif"
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    with pytest.raises(InputError) as err:
        build_report(project, result, out, date=DATE, front=FrontMatter(logo=gif))
    assert "GIF" in str(err.value)
