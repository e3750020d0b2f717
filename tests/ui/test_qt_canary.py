"""Canary: PySide6 6.12.0 on CPython 3.11 drops a reference to None on every void Qt call and
the process dies with 'none_dealloc' after a few thousand calls.  100,000 calls must survive."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_100k_void_qt_calls_keep_none_alive():
    code = textwrap.dedent("""
        import os, sys
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication, QLabel
        from PySide6.QtGui import QImage, QPainter
        app = QApplication([])
        label = QLabel()
        img = QImage(16, 16, QImage.Format_ARGB32)
        before = sys.getrefcount(None)
        painter = QPainter(img)
        for i in range(50_000):
            label.setText("x")
            painter.drawPoint(1, 1)
        painter.end()
        after = sys.getrefcount(None)
        print(before, after)
        # None's refcount must not fall by about one per call.
        assert after > before - 10_000, (before, after)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, env={**__import__("os").environ,
                                           "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stdout + out.stderr
    assert "none_dealloc" not in out.stderr
