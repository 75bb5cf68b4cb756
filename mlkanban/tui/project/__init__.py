"""The project record screen: plan, deliverables, pivots and outcome, and their dialogs."""

from mlkanban.tui.project.screen import ProjectScreen

__all__ = ["ProjectScreen"]
