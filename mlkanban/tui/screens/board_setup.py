"""Setting up and recovering without leaving the board: people, projects, closed tasks
and undo.

Mixed into ``BoardScreen``. Every write goes through the same service calls as the
command line (``person add``, ``project add``, ``plan``, ``reopen``, ``undo``), in the
screen's write worker, so the checks and the messages are the CLI's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work

from mlkanban.domain.errors import MlkanbanError
from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.store.changes import Change
from mlkanban.tui.messages import ChangeRefused, ClosedLoaded
from mlkanban.tui.screens.board_actions import CardActions

if TYPE_CHECKING:  # writes run in workers, after the service is built
    from mlkanban.store.service import Service

CLOSED = (Status.DONE, Status.DROPPED)


class SetupActions(CardActions):
    """Add and edit people and projects, find closed tasks, undo."""

    # ------------------------------------------------------------------ people

    def _lane_person(self):
        """The person whose lane the cursor is in (lanes by person), if any."""
        lane = self.board.current_lane
        card = self.board.current_card
        handle = (lane.owner if lane is not None else None) or (
            card.task.owner if card is not None else None)
        if self.snapshot is None or handle is None:
            return None
        return next((p for p in self.snapshot.people if p.handle == handle), None)

    def action_add_person(self) -> None:
        from mlkanban.tui.screens.person_form import PersonFormScreen

        def chosen(form) -> None:
            if form is None:
                return

            def write(s: Service) -> Change:
                person = s.add_person(form.handle, name=form.name, wip_limit=form.wip_limit)
                return _note(f"Added @{person.handle} ({person.display}), "
                             f"WIP limit {person.wip_limit}")

            self.change(write)

        actor = self.workspace.actor
        known = self.snapshot is not None and any(
            p.handle == actor for p in self.snapshot.people)
        self.app.push_screen(PersonFormScreen(handle="" if known else actor), chosen)

    def action_edit_person(self) -> None:
        person = self._lane_person()
        if person is None:
            self.notify("Move to a person's lane first (g shows lanes by person), "
                        "or add a person with a.", severity="warning", timeout=5)
            return
        from mlkanban.tui.screens.person_form import PersonFormScreen

        def chosen(form) -> None:
            if form is None:
                return

            def write(s: Service) -> Change:
                after = s.edit_person(person.handle, name=form.name, wip_limit=form.wip_limit)
                return _note(f"@{after.handle}: {after.display}, WIP limit {after.wip_limit}")

            self.change(write)

        self.app.push_screen(PersonFormScreen(person), chosen)

    # ------------------------------------------------------------------ projects

    def _focused_project(self):
        lane = self.board.current_lane
        card = self.board.current_card
        key = (lane.project if lane is not None else None) or (
            card.task.project if card is not None else None)
        if key is None and self.snapshot is not None and len(self.snapshot.projects) == 1:
            key = self.snapshot.projects[0].key
        if self.snapshot is None or key is None:
            return None
        return next((p for p in self.snapshot.projects if p.key == key), None)

    def action_add_project(self) -> None:
        if self.snapshot is None:
            return
        from mlkanban.tui.screens.project_form import ProjectFormScreen

        def chosen(form) -> None:
            if form is None:
                return

            def write(s: Service) -> Change:
                plan = {phase: weeks for phase, weeks in form.plan.items() if weeks}
                project = s.add_project(form.key, form.name, hypothesis=form.hypothesis,
                                        metric=form.metric, owner=form.owner, plan=plan)
                return _note(f"Added project {project.key} “{project.name}”"
                             + (f", {sum(plan.values()):g} weeks planned" if plan else ""))

            self.change(write)

        mine = self.workspace.actor if any(
            p.handle == self.workspace.actor for p in self.snapshot.people) else None
        self.app.push_screen(ProjectFormScreen(list(self.snapshot.people), owner=mine), chosen)

    def action_edit_project(self) -> None:
        project = self._focused_project()
        if project is None or self.snapshot is None:
            self.notify("Move to a card (or a project's lane) first, or add a project "
                        "with N.", severity="warning", timeout=5)
            return
        from mlkanban.tui.screens.project_form import ProjectFormScreen

        def chosen(form) -> None:
            if form is not None:
                self.change(lambda s: _edit_project(s, project, form))

        self.app.push_screen(ProjectFormScreen(list(self.snapshot.people), project), chosen)

    # ------------------------------------------------------------------ closed tasks

    def action_closed(self) -> None:
        self.show_closed()

    def show_closed(self, key: str | None = None) -> None:
        """Every done and dropped task (read in a worker), the cursor on ``key``."""
        self._load_closed(key)

    @work(thread=True, exclusive=True, group="closed")
    def _load_closed(self, key: str | None) -> None:
        try:
            tasks = self.workspace.tasks(statuses=CLOSED)
        except MlkanbanError as exc:
            self.post_message(ChangeRefused(exc.message))
            return
        self.post_message(ClosedLoaded(tasks, key))

    @on(ClosedLoaded)
    def _closed_loaded(self, message: ClosedLoaded) -> None:
        from mlkanban.tui.screens.closed_tasks import ClosedTasksScreen

        def chosen(key: str | None) -> None:
            if key:
                self.change(lambda s: s.reopen(key), focus=key)

        self.app.push_screen(ClosedTasksScreen(message.tasks, focus=message.key), chosen)

    # ------------------------------------------------------------------ undo

    def action_undo(self) -> None:
        self.change(lambda s: s.undo())


def _note(message: str) -> Change:
    """A change that names no task: only its message is shown."""

    return Change(None, message)


def _edit_project(service: Service, before, form) -> Change:
    """Apply what the project dialog changed: the record, then the plan."""
    said: list[str] = []
    fields = {
        "name": form.name, "hypothesis": form.hypothesis, "metric": form.metric,
    }
    wanted = {f: v for f, v in fields.items() if v != getattr(before, f)}
    if form.owner != before.owner:
        wanted["owner"] = form.owner or "-"
    if wanted:
        service.edit_project(before.key, **wanted)
        said.append(", ".join(wanted))
    plan: dict[Phase, float] = {
        phase: weeks for phase, weeks in form.plan.items()
        if weeks != before.plan.get(phase, 0.0)
    }
    if plan:
        service.set_plan(before.key, plan)
        said.append("plan")
    if not said:
        return _note(f"Nothing changed in {before.key}.")
    return _note(f"{before.key}: changed {' and '.join(said)}")

