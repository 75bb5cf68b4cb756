"""The weekly review: the report's content on screen, with charts, and a project view."""

from mlkanban.tui.project import ProjectScreen
from mlkanban.tui.review.screen import ReviewScreen

__all__ = ["ProjectScreen", "ReviewScreen"]
