"""The command-line contract: exit codes, --version, help in both languages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120)


def test_version_and_help_in_both_languages():
    out = _run("--version")
    assert out.returncode == 0 and out.stdout.startswith("ilp-gis ")
    idn = _run("--help")
    assert idn.returncode == 0
    assert "penggunaan:" in idn.stdout and "Puskesmas" in idn.stdout
    en = _run("--lang", "en", "--help")
    assert en.returncode == 0
    assert "usage:" in en.stdout and "district health offices" in en.stdout


def test_wrong_usage_exits_2_with_translated_message():
    out = _run("--tidak-ada")
    assert out.returncode == 2
    assert "penggunaan salah" in out.stderr
    out = _run("--lang", "en", "--no-such-option")
    assert out.returncode == 2
    assert "wrong usage" in out.stderr


def test_no_command_prints_help_and_exits_2():
    out = _run()
    assert out.returncode == 2
    assert "PERINTAH" in out.stdout
