"""Dock panels of the main window that are built from several modules (one package each).
Imports nothing itself."""
