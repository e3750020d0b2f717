"""Small helpers for reading back PDFs in the report tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def page_sizes(path: Path) -> list[tuple[float, float]]:
    from pypdf import PdfReader

    return [(round(float(p.mediabox.width)), round(float(p.mediabox.height)))
            for p in PdfReader(str(path)).pages]


def render(path: Path, out_dir: Path, dpi: int = 40, first: int | None = None,
           last: int | None = None) -> list[np.ndarray]:
    """Pages rendered by pdftoppm as RGB arrays (the test is skipped without pdftoppm)."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    from PIL import Image

    cmd = [exe, "-r", str(dpi), "-png"]
    if first:
        cmd += ["-f", str(first)]
    if last:
        cmd += ["-l", str(last)]
    prefix = out_dir / "page"
    subprocess.run(cmd + [str(path), str(prefix)], check=True, capture_output=True)
    return [np.asarray(Image.open(p).convert("RGB")) for p in sorted(out_dir.glob("page*.png"))]
