"""Small form building blocks the dialogs share."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QWidget


def field_with_button(field: QWidget, button: QWidget) -> QWidget:
    """One form row: a field taking the width, its (browse) button beside it."""
    row = QWidget()
    lay = QHBoxLayout(row)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(field, 1)
    lay.addWidget(button)
    return row
