"""Screens and dialogs of the board."""
