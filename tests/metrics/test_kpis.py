"""The KPIs against a fixture computed by hand (see each expected figure's comment)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.metrics import compute
from studio.store import Store
from tests.helpers import job_values

MONDAY = dt.datetime(2026, 11, 16, 12, 0).astimezone().timestamp()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "studio.db")
    t = MONDAY

    def job(n: int, **values: object) -> int:
        with s.db.write() as tx:
            return s.jobs.insert(
                tx, job_values(n, **values), at=float(values.get("submitted_at") or t)
            )  # type: ignore[arg-type]

    def clip(job_id: int, seconds: float) -> None:
        with s.db.write() as tx:
            s.assets.add(tx, job_id=job_id, kind="video", path=f"clips/{job_id}/video.mp4",
                         sha256="0" * 64, size=1, duration=seconds, at=t)  # fmt: skip

    launch = {"project": "launch", "model": "sim-fast"}
    j1 = job(1, **launch, status="ready", submitted_at=t, finished_at=t + 100, estimated_cost=0.40)
    j2 = job(2, **launch, status="failed", failure_class="transport", submitted_at=t,
             estimated_cost=0.40)  # fmt: skip
    j3 = job(3, **launch, status="ready", submitted_at=t, finished_at=t + 200,
             estimated_cost=0.40, actual_cost=0.50, retry_of=j2)  # fmt: skip
    job(4, **launch, status="failed", failure_class="policy", submitted_at=t, estimated_cost=0.40)
    # imported from another library with its times and cost there: paid and rendered there
    elsewhere = {"imported_at": t + 60, "origin_library": "ab" * 16, "origin_take": 11}
    j5 = job(5, **launch, provider="sim", status="ready", submitted_at=t, finished_at=t + 50,
             actual_cost=9.99, **elsewhere)  # fmt: skip
    j6 = job(6, project="holiday", model="sim-pro", status="ready", submitted_at=t,
             finished_at=t + 300, estimated_cost=1.20)  # fmt: skip
    with s.db.write() as tx:  # queued a week later, never sent
        s.jobs.insert(tx, job_values(7, project="holiday", model="sim-pro", status="queued"),
                      at=t + 7 * 86400)  # fmt: skip
    for job_id, seconds in ((j1, 4.0), (j3, 8.0), (j5, 6.0), (j6, 12.0)):
        clip(job_id, seconds)
    decide = s.verdicts.decide
    decide(j1, "approve", reviewer="ana", at=t)
    decide(j3, "approve", reviewer="ana", at=t + 1)
    decide(j3, "undo", reviewer="ana", at=t + 2)  # taken back ...
    decide(j3, "discard", reviewer="ana", at=t + 3)  # ... and discarded
    decide(j5, "approve", reviewer="bo", at=t)
    decide(j6, "approve", reviewer="bo", at=t)
    s.verdicts.set_tags(j3, ["jitter"], at=t)
    s.verdicts.set_tags(j6, ["jitter", "logo"], at=t)
    yield s
    s.close()


def test_everything_together(store: Store) -> None:
    (k,) = compute(store)
    assert k.takes == 6  # j2 and its retry j3 are one take
    assert k.reviewed == 4  # j1, j2/j3, j5, j6
    assert k.approved == 3  # j1, j5, j6 (j3's approval was undone, then discarded)
    assert k.approval_rate == pytest.approx(3 / 4)
    assert k.approved_seconds == pytest.approx(4 + 6 + 12)
    assert k.renders == 5  # j1-j4, j6: the import and the unsent job are not renders
    assert k.renders_per_approved == pytest.approx(5 / 3)
    assert k.spend == pytest.approx(0.40 + 0.50 + 1.20)  # failed, unbilled renders cost 0
    assert k.cost_per_approved == pytest.approx(2.10 / 3)
    assert k.cost_per_approved_second == pytest.approx(2.10 / 22)
    assert k.policy_rate == pytest.approx(1 / 5)
    assert k.transport_rate == pytest.approx(1 / 5)
    assert k.latency_p50 == pytest.approx(200)  # of 100, 200, 300 s
    assert k.latency_p95 == pytest.approx(290)
    assert k.tag_frequency() == {"jitter": 0.5, "logo": 0.25}


def test_per_project(store: Store) -> None:
    holiday, launch = compute(store, by="project")
    assert (launch.group, launch.takes, launch.reviewed, launch.approved) == ("launch", 4, 3, 2)
    assert launch.renders == 4
    assert launch.spend == pytest.approx(0.90)
    assert launch.cost_per_approved == pytest.approx(0.45)
    assert launch.cost_per_approved_second == pytest.approx(0.90 / 10)  # the import's 6 s count
    assert (holiday.takes, holiday.approved, holiday.renders) == (2, 1, 1)
    assert holiday.latency_p50 == pytest.approx(300)
    assert holiday.cost_per_approved_second == pytest.approx(0.10)


def test_weeks_and_empty_groups(store: Store) -> None:
    first, second = compute(store, by="week")
    assert first.group == "2026-11-16"
    assert second.group == "2026-11-23"
    assert (second.takes, second.reviewed, second.renders) == (1, 0, 0)
    assert second.approval_rate is None  # nothing to divide by: no figure
    assert second.cost_per_approved is None
    assert second.latency_p50 is None
    assert second.tag_frequency() == {}


def test_date_range_filters_on_the_submitted_day(store: Store) -> None:
    assert compute(store, start=dt.date(2026, 11, 17), end=dt.date(2026, 11, 20)) == []
    (only,) = compute(store, start=dt.date(2026, 11, 23))
    assert only.takes == 1


def test_cap_history_gives_the_cap_that_applied(store: Store) -> None:
    store.budgets.set_cap("daily", "*", 20.0, at=MONDAY)
    store.budgets.set_cap("daily", "*", 5.0, at=MONDAY + 86400)
    store.budgets.set_cap("daily", "*", None, at=MONDAY + 2 * 86400)
    assert store.budgets.cap_at("daily", "*", MONDAY + 10) == 20.0
    assert store.budgets.cap_at("daily", "*", MONDAY + 86400 + 10) == 5.0
    assert store.budgets.cap_at("daily", "*", MONDAY + 3 * 86400) is None
    assert store.budgets.cap_at("daily", "*", MONDAY - 10) is None


def test_studio_report_prints_the_table_and_csv(store: Store) -> None:
    from tests.test_cli import studio

    db = str(store.db.path)
    table = studio("report", "--db", db, "--by", "project")
    assert table.returncode == 0, table.stderr
    header, _holiday, launch = table.stdout.splitlines()
    assert "$/approved s" in header
    assert launch.split()[:4] == ["launch", "4", "3", "2"]
    assert launch.endswith("jitter 33 %")  # j3, one of launch's three reviewed takes
    assert _holiday.endswith("jitter 100 %, logo 100 %")
    assert "—" in studio("report", "--db", db, "--by", "week").stdout  # an empty figure
    csv = studio("report", "--db", db, "--by", "all", "--csv").stdout.splitlines()
    assert csv[0].startswith("group,takes,reviewed,approved,approval_rate")
    assert csv[1].startswith("all,6,4,3,0.75,")
    assert "jitter=0.50" in csv[1]
    bad = studio("report", "--db", db, "--from", "yesterday")
    assert bad.returncode == 2
    assert "--from 'yesterday' is not a date" in bad.stderr


def test_two_template_versions_side_by_side(store: Store) -> None:
    first = store.templates.save(
        "spring", "speaker", "hero", {"subject": "x"}, change_note="", at=1.0
    )
    second = store.templates.save(
        "spring", "speaker", "hero", {"subject": "y"}, change_note="", at=2.0
    )
    with store.db.write() as tx:
        a = store.jobs.insert(tx, job_values(20, status="ready", submitted_at=MONDAY,
                              estimated_cost=0.2, template_id=first.id), at=MONDAY)  # fmt: skip
        b = store.jobs.insert(tx, job_values(21, status="ready", submitted_at=MONDAY,
                              estimated_cost=0.2, template_id=second.id), at=MONDAY)  # fmt: skip
    store.verdicts.decide(a, "approve", reviewer="ana", at=MONDAY)
    store.verdicts.decide(b, "discard", reviewer="ana", at=MONDAY)
    groups = {k.group: k for k in compute(store, by="template")}
    assert groups["spring / speaker / hero v1"].approval_rate == 1.0
    assert groups["spring / speaker / hero v2"].approval_rate == 0.0
    assert groups["no template"].takes == 6
