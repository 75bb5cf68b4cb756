"""Widgets of the board; each receives data and posts messages."""
