"""The weekly report, built: the board as the events tell it at the period's end.

Building the model replays task timelines in plain Python (``history.replay``) from
what ``history.report_load`` read, and walks people and projects back to the report's
moment (``history.as_of``), so that a past week is told as it was. The model itself is
``history.report_model``; its names are re-exported here for the renderers.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from itertools import chain
from operator import attrgetter
from pathlib import Path

from mlkanban.domain.phases import PHASES, Phase
from mlkanban.domain.statuses import OPEN_STATUSES, Status
from mlkanban.domain.work_log import micros
from mlkanban.domain.workdays import WorkCalendar
from mlkanban.history import metrics
from mlkanban.history.as_of import (
    LATER_KINDS,
    RECORD_KINDS,
    people_as_of,
    projects_as_of,
    titles_as_of,
)
from mlkanban.history.metrics import DAYS_PER_WEEK, FLOW_STATUSES, DayCounter, local_day
from mlkanban.history.replay import TaskState, board_at, build_timelines
from mlkanban.history.report_load import (  # noqa: F401 (re-exported)
    CHART_WEEKS,
    TASK_KINDS,
    WINDOW_KINDS,
    HistoryData,
    history_start,
    load_history,
)
from mlkanban.history.report_model import (  # noqa: F401 (re-exported)
    Attention,
    Closing,
    Comment,
    Deliverable,
    FlowDay,
    Move,
    Override,
    Period,
    PersonRow,
    PhaseRow,
    ProjectSection,
    Stalled,
    Summary,
    TaskRef,
    TimelineBar,
    WaitingItem,
    WeekCount,
    WeeklyReport,
    parse_day,
)
from mlkanban.history.report_rest import Rest
from mlkanban.store.split_reads import Apart
from mlkanban.store.sql import Sql
from mlkanban.store.views import ProjectView

EMPTY_NOTE = "Nothing had been recorded on this board by then."


def build_report(
    data: HistoryData, period: Period, *, now: datetime, calendar: WorkCalendar
) -> WeeklyReport:
    """The report of ``period`` as the events tell it, as of its end (or now)."""
    start_at = period.start_moment()
    as_of = period.as_of(now)
    today = local_day(as_of)
    last_monday = today - timedelta(days=today.weekday())
    chart_weeks = [last_monday - timedelta(weeks=n) for n in range(CHART_WEEKS - 1, -1, -1)]
    began = data.first_event or (data.events[0].at if data.events else None)
    if began is None or began > as_of:
        return _empty_report(period, as_of)
    if began is not None:  # no empty weeks before the board's first event
        first_event = local_day(began)
        first_monday = first_event - timedelta(days=first_event.weekday())
        chart_weeks = [m for m in chart_weeks if m >= first_monday] or chart_weeks[-1:]
    first_day = min([chart_weeks[0], period.start]
                    + ([local_day(began)] if began is not None else []))
    days = DayCounter(calendar, first_day - timedelta(days=7),
                      max(today, period.end) + timedelta(days=7))

    rest = data.rest or Rest()
    if data.since is None:
        timelines = build_timelines(data.tasks, data.events)
        work = metrics.project_work((metrics.task_work(line, as_of, days)
                                     for line in timelines.values()), days, chart_weeks[0])
    else:
        timelines = build_timelines(data.tasks, data.events, since=data.since,
                                    whole=data.whole)
        if rest.work is not None and rest.calendar is not calendar:
            raise ValueError("the history was loaded for another calendar")
        logs = ((t.project, t.work_log) for t in data.tasks if t.work_log)
        work = metrics.logged_project_work(chain(logs, rest.logs), micros(as_of), days,
                                           chart_weeks[0], folded=rest.work)
    states = board_at(timelines, as_of)
    day_of = days.day
    window = (metrics.in_window(data.events, start_at, as_of) if data.window is None
              else [e for e in data.window if start_at <= e.at <= as_of])
    later = (data.later if data.later is not None
             else [e for e in data.events if e.kind in LATER_KINDS and e.at > as_of])
    records = (data.records if data.records is not None
               else [e for e in data.events if e.kind in RECORD_KINDS])
    titles = titles_as_of(later)
    if titles:
        states = [s._replace(title=titles[s.key]) if s.key in titles else s for s in states]
    by_key = {s.key: s for s in states}
    ab_tests = _designs_as_of(data, records, as_of)

    def ref(state: TaskState) -> TaskRef:
        """A task for the report; a done task's age is its age when it was finished."""
        end = day_of(state.since) if state.status is Status.DONE else today
        return TaskRef(state.key, state.title, state.phase.value, state.owner,
                       metrics.age_days(state, end, days), state.estimate)

    done = [s for s in states if s.status is Status.DONE and s.since >= start_at]
    started = [s for s in states if s.started_at is not None and s.started_at >= start_at]
    moves = [
        Move(e.task, by_key[e.task].title if e.task in by_key else "", e.old or "", e.new or "",
             metrics.is_move_back(e), e.at)
        for e in window if e.kind == "moved_phase" and e.task is not None
    ]
    waiting_items = {
        s.key: WaitingItem(s.key, s.title, s.owner, s.reason or "",
                           metrics.waiting_for(s, today, days),
                           ab_tests[s.key].progress(today) if s.key in ab_tests
                           else None)
        for s in states if s.status is Status.WAITING
    }
    over_size = [ref(s) for s in states if metrics.over_size(s, today, days)]
    overrides = [
        Override(e.task, by_key[e.task].title if e.task in by_key else "",
                 by_key[e.task].owner if e.task in by_key else None, e.reason or "", e.at)
        for e in window if e.kind == "wip_override" and e.task is not None
    ]

    people_then = people_as_of(
        data.people, data.created.get("people", {}), later, as_of,
        {s.owner for s in states if s.owner} | {e.actor for e in window} | rest.owners)
    people = _people_rows(people_then, states, done, waiting_items, over_size, ref)
    active_handles = [p.handle for p in people_then if p.active]
    idle = metrics.idle_people(active_handles, states)

    if data.last_events is not None:
        last_days = {key: day_of(at) for key, at in data.last_events.items() if at <= as_of}
    else:
        last_days = metrics.last_event_days(data.events, as_of, day_of)
    projects_then = projects_as_of(
        data.projects, data.created.get("projects", {}), later,
        [e for e in records if e.kind == "closed"], as_of,
        {s.project for s in states} | {e.project for e in window if e.project} | rest.projects)
    active_projects = [p for p in projects_then if p.status == "active"]
    stalled = metrics.stalled(last_days, [p.key for p in active_projects], today, days)
    projects = _project_sections(
        projects_then, states, work, window, done, started, moves, last_days, stalled,
        days, ref, period.start, chart_weeks[0], rest,
    )

    charts = data.charts
    if charts is not None and charts.moment != as_of:
        raise ValueError("the charts were counted up to another moment")
    counts = (metrics.throughput(timelines.values(), chart_weeks, as_of, day_of)
              if charts is None else [charts.finished_in(monday) for monday in chart_weeks])
    throughput = [
        WeekCount(metrics.iso_week_label(monday), monday, n)
        for monday, n in zip(chart_weeks, counts, strict=True)
    ]
    earlier = counts[:-1]
    if charts is None:
        flow = [
            FlowDay(day, c[Status.TODO], c[Status.IN_PROGRESS], c[Status.WAITING],
                    c[Status.DONE], c[Status.DROPPED])
            for day, c in metrics.cumulative_flow(timelines.values(), chart_weeks[0], today,
                                                  as_of, day_of, held=rest.statuses)
        ]
    else:
        flow = [FlowDay(day, *(charts.flow_on(day).get(s.value, 0) for s in FLOW_STATUSES))
                for day in _days(chart_weeks[0], today)]
    summary = Summary(
        done=len(done),
        started=len(started),
        moved=len(moves),
        moved_back=sum(1 for m in moves if m.back),
        in_progress=sum(1 for s in states if s.status is Status.IN_PROGRESS),
        waiting=len(waiting_items),
        average_done=round(sum(earlier) / len(earlier), 1) if earlier else None,
    )
    attention = Attention(
        overrides=overrides,
        over_size=over_size,
        stalled=[
            Stalled(p.key, p.name, last_days[p.key], stalled[p.key])
            for p in active_projects if p.key in stalled
        ],
        idle=idle,
        long_waits=sorted(
            (w for w in waiting_items.values() if w.days >= metrics.LONG_WAIT_DAYS),
            key=lambda w: -w.days,
        ),
    )
    return WeeklyReport(
        title=_title(period), label=period.label, start=period.start, end=period.end, as_of=as_of,
        summary=summary, people=people, projects=projects, attention=attention,
        throughput=throughput, flow=flow,
    )


def _people_rows(people, states, done, waiting_items, over_size, ref) -> list[PersonRow]:
    over = {t.key for t in over_size}
    by_owner = _group(states, attrgetter("owner"))
    rows = []
    for person in people:
        if not person.active:
            continue
        mine = by_owner.get(person.handle, [])
        in_progress = [s for s in mine if s.status is Status.IN_PROGRESS]
        flags = []
        if not in_progress:
            flags.append("idle")
        for state in in_progress:
            if state.key in over:
                flags.append(f"{state.key} over size")
            if state.override:
                flags.append(f"{state.key} WIP override")
        if len(in_progress) > person.wip_limit:
            flags.append(f"{len(in_progress)}/{person.wip_limit} in progress")
        rows.append(PersonRow(
            person.handle, person.name,
            [ref(s) for s in in_progress],
            [ref(s) for s in done if s.owner == person.handle],
            [waiting_items[s.key] for s in mine if s.key in waiting_items],
            flags,
        ))
    return rows


def _current_phase(states: list[TaskState], counted=None) -> str | None:
    """The phase of the task most recently started, else of the latest change (among the
    states, in key order, and the ``counted`` ones: ``Rest.latest`` of the project)."""
    for wanted in (Status.IN_PROGRESS, Status.WAITING):
        candidates = [s for s in states if s.status is wanted]
        if candidates:
            return max(candidates, key=lambda s: s.since).phase.value
    latest = [(s.since, _number(s.key), s.phase.value) for s in states]
    if counted is not None:
        since, found = counted
        latest += [(since, number, phase) for number, _, phase in found]
    if latest:  # the latest change; of those at once, the first in key order
        return min(latest, key=lambda item: (-_micros(item[0]), item[1]))[2]
    return None


def _number(key: str) -> int:
    number = key.rpartition("-")[2]
    return int(number) if number.isdigit() else 0


def _micros(moment: datetime) -> int:
    return micros(moment)


def _project_sections(projects, states, work: metrics.ProjectWork, window, done, started,
                      moves, last_days, stalled, days, ref, since: date,
                      shown_from: date, rest: Rest) -> list[ProjectSection]:
    active_in_window = {key for key, day in last_days.items() if day >= since}
    per_project_days, timelines, firsts = work.days, work.timelines, work.firsts
    by_project = _group(states, attrgetter("project"))
    by_key = {s.key: s for s in states}
    events_of = _group(window, attrgetter("project"))
    done_of = _group(done, attrgetter("project"))
    started_of = _group(started, attrgetter("project"))
    moves_of = _group(moves, lambda m: m.key.rpartition("-")[0])
    sections = []
    for project in projects:
        if project.status != "active" and project.key not in active_in_window:
            continue
        mine = by_project.get(project.key, [])
        spent = per_project_days.get(project.key, {})
        phases = []
        counts = Counter((s.phase, s.status) for s in mine)
        for phase in PHASES:
            open_count = sum(counts[(phase, status)] for status in OPEN_STATUSES)
            done_count = (counts[(phase, Status.DONE)]
                          + rest.done.get((project.key, phase.value), 0))
            planned = project.plan.get(phase)
            actual = spent.get(phase, 0)
            if planned is None and not actual and not open_count and not done_count:
                continue
            phases.append(PhaseRow(phase.value, phase.title, planned,
                                   round(actual / DAYS_PER_WEEK, 1), open_count, done_count))
        events = events_of.get(project.key, [])
        sections.append(ProjectSection(
            key=project.key,
            name=project.name,
            status=project.status,
            owner=project.owner,
            hypothesis=project.hypothesis,
            metric=project.metric,
            outcome=project.outcome,
            outcome_why=project.outcome_why,
            current_phase=_current_phase(mine, rest.latest.get(project.key)),
            phases=phases,
            timeline=[TimelineBar(p.value, max(a, shown_from), b)
                      for p, a, b in timelines.get(project.key, []) if b >= shown_from],
            plan=_plan_bars(project, firsts.get(project.key, {}), days),
            done=[ref(s) for s in done_of.get(project.key, [])],
            started=[ref(s) for s in started_of.get(project.key, [])],
            moved=moves_of.get(project.key, []),
            deliverables=[
                Deliverable(_phase_value(e.field), e.new or "", e.reason, e.at)
                for e in events if e.kind == "delivered"
            ],
            pivots=[e.new or "" for e in events if e.kind == "pivot"],
            last_event=last_days.get(project.key),
            stalled_days=stalled.get(project.key),
            closed=next((Closing(e.new or "", e.reason or "", project.status, e.at)
                         for e in reversed(events) if e.kind == "closed"), None),
            comments=[Comment(e.task, by_key[e.task].title if e.task in by_key else "",
                              e.actor, e.at, e.new or "")
                      for e in events if e.kind == "commented" and e.task],
        ))
    return sections


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _group(items, key) -> dict:
    """Items by ``key(item)``, each group in the items' order."""
    groups: dict = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def _plan_bars(project: ProjectView, first_start: dict[Phase, date],
               days: DayCounter) -> list[TimelineBar]:
    """Each planned phase's length in working days, from when its work first began."""
    plan = []
    for phase, start in sorted(first_start.items(), key=lambda item: item[0].index):
        weeks = project.plan.get(phase)
        if weeks:
            length = max(int(weeks * DAYS_PER_WEEK + 0.5), 1)
            plan.append(TimelineBar(phase.value, start, days.add(start, length - 1)))
    return plan


def _phase_value(text: str | None) -> str:
    try:
        return Phase(text).value
    except ValueError:
        return text or ""


def weekly_report(sql: Sql, period: Period, *, now: datetime,
                  calendar: WorkCalendar, kept: Path | None = None,
                  charts_apart: Apart | None = None) -> WeeklyReport:
    """Load and build in one call: what the command line and the review screen use;
    ``kept``: the file that keeps the closed tasks' work (``history.closed_work``);
    ``charts_apart``: a child counting the charts meanwhile (``load_history``)."""
    data = load_history(sql, until=period.as_of(now), since=period.start_moment(),
                        calendar=calendar, kept=kept, charts_apart=charts_apart)
    return build_report(data, period, now=now, calendar=calendar)


def _designs_as_of(data: HistoryData, records, as_of: datetime) -> dict:
    """The A/B test designs that had been set by ``as_of``."""
    first_set: dict[str, datetime] = {}
    for event in records:
        if event.kind == "ab_test_set" and event.task and event.task not in first_set:
            first_set[event.task] = event.at
    return {key: design for key, design in data.ab_tests.items()
            if first_set.get(key, as_of) <= as_of}


def _empty_report(period: Period, as_of: datetime) -> WeeklyReport:
    """A period before the board's first event: nothing to tell, said in one line."""
    return WeeklyReport(
        title=_title(period), label=period.label, start=period.start, end=period.end,
        as_of=as_of, summary=Summary(0, 0, 0, 0, 0, 0, None), people=[], projects=[],
        attention=Attention([], [], [], [], []), throughput=[], flow=[], note=EMPTY_NOTE,
    )


def _title(period: Period) -> str:
    return (f"Week {period.label}" if period.is_week else "Report") + (
        f": {period.start:%a %d %b} – {period.end:%a %d %b %Y}"
    )
