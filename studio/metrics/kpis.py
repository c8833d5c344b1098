"""Review KPIs over the library (definitions in docs/metrics.md, tested on a hand-computed
fixture): approval rate, renders per approved clip, cost per approved clip and second,
generation latency, policy and transport failure rates, defect tag frequency.

A *take* is a render together with its retries (a retry is another render of the same
take). Imported takes count in approval figures only (no renders, cost or latency)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from studio.store import FailureClass, JobRow, JobStatus, Store
from studio.store.review import Decision

GROUPS = ("project", "template", "model", "provider", "week", "all")


@dataclass
class Kpis:
    group: str
    takes: int = 0  # takes (retries folded in), imported ones included
    reviewed: int = 0  # takes with a decision in force
    approved: int = 0
    approved_seconds: float = 0.0
    renders: int = 0  # renders sent to a provider (retries count), imports excluded
    spend: float = 0.0
    policy_failures: int = 0
    transport_failures: int = 0
    latencies: list[float] = field(default_factory=list)  # submitted → ready, seconds
    tags: Counter[str] = field(default_factory=Counter)

    @property
    def approval_rate(self) -> float | None:
        return _ratio(self.approved, self.reviewed)

    @property
    def renders_per_approved(self) -> float | None:
        return _ratio(self.renders, self.approved)

    @property
    def cost_per_approved(self) -> float | None:
        return _ratio(self.spend, self.approved)

    @property
    def cost_per_approved_second(self) -> float | None:
        return _ratio(self.spend, self.approved_seconds)

    @property
    def policy_rate(self) -> float | None:
        return _ratio(self.policy_failures, self.renders)

    @property
    def transport_rate(self) -> float | None:
        return _ratio(self.transport_failures, self.renders)

    @property
    def latency_p50(self) -> float | None:
        return _percentile(self.latencies, 50)

    @property
    def latency_p95(self) -> float | None:
        return _percentile(self.latencies, 95)

    @property
    def top_tags(self) -> list[tuple[str, float]]:
        """The five most frequent defect tags with their frequency."""
        return list(self.tag_frequency().items())[:5]

    def tag_frequency(self) -> dict[str, float]:
        """Share of reviewed takes carrying each defect tag."""
        if not self.reviewed:
            return {}
        ranked = sorted(self.tags.items(), key=lambda item: (-item[1], item[0]))  # ties: by name
        return {tag: n / self.reviewed for tag, n in ranked}


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None  # nothing to divide by: no figure, not zero or infinity


def _percentile(values: list[float], pct: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def spend_of(job: JobRow) -> float:
    """What a render cost: the provider's figure where it reported one; otherwise the
    estimate for a render that produced a clip (billed), nothing for one that did not."""
    if job.imported:
        return 0.0  # paid where it was made
    if job.actual_cost is not None:
        return job.actual_cost
    if job.status is JobStatus.READY:
        return job.estimated_cost or 0.0
    return 0.0


def local_day(ts: float) -> dt.date:
    return dt.datetime.fromtimestamp(ts).astimezone().date()


def compute(
    store: Store,
    *,
    by: str = "all",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[Kpis]:
    """KPIs per group (`project`, `template` version, `model`, `provider`, `week`: its
    Monday, or `all`), for
    takes submitted (where they were made, for imported ones; never sent: created) between
    `start` and `end`, local days, inclusive."""
    if by not in GROUPS:
        raise ValueError(f"group by one of {', '.join(GROUPS)}")
    jobs = {j.id: j for j in store.jobs.with_status(*JobStatus)}
    takes: dict[int, list[JobRow]] = {}
    for job in jobs.values():
        takes.setdefault(_take_root(job, jobs), []).append(job)
    current = store.verdicts.current(list(jobs))
    durations = store.assets.video_durations()
    tags = store.verdicts.all_tags()
    templates = {
        t.id: f"{t.campaign} / {t.product} / {t.use_case} v{t.version}"
        for t in store.templates.all()
    }
    key = _grouping(by, templates)
    groups: dict[str, Kpis] = {}
    for renders in takes.values():
        first = min(renders, key=lambda j: j.id)
        day = local_day(first.submitted_at or first.created_at)
        if (start and day < start) or (end and day > end):
            continue
        group = groups.setdefault(key(first, day), Kpis(key(first, day)))
        _add_take(group, renders, current, durations, tags)
    return sorted(groups.values(), key=lambda k: k.group)


def _take_root(job: JobRow, jobs: dict[int, JobRow]) -> int:
    seen = {job.id}
    while job.retry_of is not None and job.retry_of in jobs and job.retry_of not in seen:
        job = jobs[job.retry_of]
        seen.add(job.id)
    return job.id


def _grouping(by: str, templates: dict[int, str]) -> Callable[[JobRow, dt.date], str]:
    if by == "template":  # each version apart, so two versions compare side by side
        return lambda job, day: templates.get(job.template_id or -1, "no template")
    if by == "week":
        return lambda job, day: (day - dt.timedelta(days=day.weekday())).isoformat()
    if by == "all":
        return lambda job, day: "all"
    return lambda job, day: str(getattr(job, by))


def _add_take(
    group: Kpis,
    renders: Iterable[JobRow],
    current: dict[int, Decision],
    durations: dict[int, float],
    tags: dict[int, list[str]],
) -> None:
    renders = sorted(renders, key=lambda j: j.id)
    group.takes += 1
    decided = [(j, current[j.id]) for j in renders if j.id in current]
    if decided:  # the take's verdict: its latest render's decision in force
        job, decision = decided[-1]
        group.reviewed += 1
        if decision.decision == "approve":
            group.approved += 1
            group.approved_seconds += durations.get(job.id, 0.0)
        group.tags.update(set(tags.get(job.id, ())))
    for job in renders:
        if job.imported or job.submitted_at is None:
            continue  # not sent from here: not a render of ours, no cost, no latency
        group.renders += 1
        group.spend += spend_of(job)
        if job.failure_class is FailureClass.POLICY:
            group.policy_failures += 1
        elif job.failure_class is FailureClass.TRANSPORT:
            group.transport_failures += 1
        if job.status is JobStatus.READY and job.finished_at is not None:
            group.latencies.append(job.finished_at - job.submitted_at)
