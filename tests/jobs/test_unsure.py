"""A create whose outcome is unknown is never resent blindly, over real HTTP in both shapes.

Each fault lets the simulator make the job, then spoils the reply. Where the provider lists
its jobs the engine adopts the one made (one render); where it honours Idempotency-Key it
sends again under the same key (one render); with neither, the job is parked as unsure, a
restart sends nothing for it, and a person's Send again or Forget does what it says.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from studio.jobs import Engine
from studio.providers.base import Provider
from studio.providers.openai_shape import OpenAIShapeProvider
from studio.providers.openrouter import OpenRouterProvider
from studio.providers.types import RemoteJob
from studio.sim.server import SimServer
from studio.store import FailureClass, JobRow, JobStatus, Store
from tests.conftest import fast_retry
from tests.helpers import until
from tests.jobs.conftest import fast_config, spec
from tests.jobs.test_fault_matrix import faults

# Each way a create's reply can be lost after the provider made the job.
UNSURE = {
    "reset-after-send": {"fault": "reset", "phase": "after"},
    "cut-reply": {"fault": "truncate"},
    "500": {"fault": "500", "phase": "after"},
    "502": {"fault": "502", "phase": "after"},
    "503": {"fault": "503", "phase": "after"},
    "504": {"fault": "504", "phase": "after"},
    "html-page": {"fault": "html", "phase": "after"},
}
SHAPES = ("openai", "openrouter")

MakeEngine = Callable[..., Engine]


@pytest.fixture
async def engine_for(sim: SimServer, store: Store, library: Path) -> AsyncIterator[MakeEngine]:
    """An engine on the session simulator in one shape; `keys` when it honours
    Idempotency-Key (and the simulator does), `listing` when GET /v1/videos answers."""
    made: list[tuple[Engine, Provider]] = []

    def make(
        shape: str, *, keys: bool = False, listing: bool = True, deadline: float = 60.0
    ) -> Engine:
        sim.control("POST", "config", {"honour_idempotency": keys, "list_endpoint": listing})
        provider: Provider
        if shape == "openai":
            provider = OpenAIShapeProvider(
                sim.openai_base_url,
                sim.api_key,
                retry=fast_retry(max_attempts=3),
                honours_idempotency=keys,
                label="the simulator",
                deadline=deadline,
            )
        else:
            provider = OpenRouterProvider(
                sim.openrouter_base_url,
                sim.api_key,
                retry=fast_retry(max_attempts=3),
                honours_idempotency=keys,
                deadline=deadline,
            )
        engine = Engine(store, provider, provider_key="sim", library=library, config=fast_config())
        made.append((engine, provider))
        return engine

    yield make
    for engine, provider in made:
        await engine.stop()
        await provider.aclose()


async def settled(engine: Engine, job_id: int) -> JobRow:
    async def wait() -> JobRow:
        while True:
            job = engine.store.jobs.get(job_id)
            assert job is not None
            if job.status.settled:
                return job
            await asyncio.sleep(0.05)

    return await asyncio.wait_for(wait(), 60)


def lose_one_create_reply(sim: SimServer, case: str, shape: str) -> None:
    faults(sim, {**UNSURE[case], "route": "create", "shape": shape, "count": 1})


def renders_for(sim: SimServer, job: JobRow) -> int:
    made: dict[str, int] = sim.control("GET", "stats")["jobs_created_by_key"]
    return made.get(job.idem_key, 0)


def sends_of(sim: SimServer, job: JobRow) -> int:
    sent: dict[str, int] = sim.control("GET", "stats")["create_requests_by_key"]
    return sent.get(job.idem_key, 0)


@pytest.mark.parametrize("case", UNSURE)
async def test_with_a_list_the_job_made_is_adopted(
    engine_for: MakeEngine, sim: SimServer, case: str
) -> None:
    engine = engine_for("openai")
    lose_one_create_reply(sim, case, "openai")
    await engine.start()
    job = await engine.submit(spec(f"a kite over dunes, {case}"))
    done = await settled(engine, job.id)
    assert done.status is JobStatus.READY, done.failure_message
    assert (sends_of(sim, done), renders_for(sim, done)) == (1, 1)  # looked up, not resent
    assert done.remote_id in sim.state.jobs
    assert "found at the provider" in " ".join(
        d or "" for _, _, d in engine.store.jobs.events(job.id)
    )


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("case", UNSURE)
async def test_where_keys_are_honoured_it_is_resent_under_the_same_key(
    engine_for: MakeEngine, sim: SimServer, case: str, shape: str
) -> None:
    engine = engine_for(shape, keys=True, listing=False)
    lose_one_create_reply(sim, case, shape)
    await engine.start()
    job = await engine.submit(spec(f"a kite over dunes, {case}"))
    done = await settled(engine, job.id)
    assert done.status is JobStatus.READY, done.failure_message
    assert sends_of(sim, done) == 2  # sent again, under the same key...
    assert renders_for(sim, done) == 1  # ...and the provider returned the job it had made
    assert sim.control("GET", "stats")["duplicate_creates"] == 0


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("case", UNSURE)
async def test_with_neither_it_is_parked_until_a_person_decides(
    engine_for: MakeEngine, sim: SimServer, store: Store, case: str, shape: str
) -> None:
    engine = engine_for(shape, listing=False)
    await engine.start()
    faults(sim, {**UNSURE[case], "route": "create", "shape": shape, "count": 2})
    first = await engine.submit(spec(f"a kite over dunes, {case}, take 1"))
    second = await engine.submit(spec(f"a kite over dunes, {case}, take 2"))
    parked = [await settled(engine, j.id) for j in (first, second)]
    assert [j.status for j in parked] == [JobStatus.UNSURE] * 2
    assert all(renders_for(sim, j) == 1 and sends_of(sim, j) == 1 for j in parked)
    assert "The provider may be rendering this" in (parked[0].failure_message or "")
    # Counted as possibly spent: what would be billed if the provider rendered it.
    assert store.budgets.spent() == pytest.approx(sum(j.estimated_cost or 0 for j in parked))

    await engine.stop()  # a restart sends nothing for them
    again = engine_for(shape, listing=False)
    await again.start()
    again.take_over()
    assert [store.jobs.get(j.id).status for j in parked] == [JobStatus.UNSURE] * 2  # type: ignore[union-attr]
    assert sum(sends_of(sim, j) for j in parked) == 2

    assert again.send_again([first.id]) == [first.id]
    sent = await settled(again, first.id)
    assert sent.status is JobStatus.READY
    assert sends_of(sim, sent) == 2  # the person's choice: sent once more, same key
    assert again.forget([second.id]) == [second.id]
    forgotten = store.jobs.get(second.id)
    assert forgotten is not None
    assert forgotten.status is JobStatus.CANCELLED
    assert forgotten.failure_class is FailureClass.CANCELLED
    assert sends_of(sim, forgotten) == 1
    # Forgotten, it may still have been rendered: still counted as possibly spent.
    assert store.budgets.spent(project="default") == pytest.approx(sent.cost + forgotten.cost)


async def test_resending_unsure_creates_is_a_choice_that_may_pay_twice(
    sim: SimServer, store: Store, library: Path
) -> None:
    """The per-provider setting "resend unsure creates automatically (may pay twice)":
    off by default; on, a lost reply is sent again and a provider that ignores keys
    renders twice, as the setting says."""
    sim.control("POST", "config", {"honour_idempotency": False})
    provider = OpenRouterProvider(sim.openrouter_base_url, sim.api_key, retry=fast_retry())
    engine = Engine(
        store,
        provider,
        provider_key="sim",
        library=library,
        config=fast_config(resend_unsure=True),
    )
    try:
        faults(sim, {"fault": "502", "phase": "after", "route": "create", "count": 1})
        await engine.start()
        job = await engine.submit(spec("a kite over dunes, paid twice"))
        done = await settled(engine, job.id)
        assert done.status is JobStatus.READY
        assert renders_for(sim, done) == 2
    finally:
        await engine.stop()
        await provider.aclose()


async def test_a_create_that_surely_made_nothing_is_sent_again(
    engine_for: MakeEngine, sim: SimServer
) -> None:
    """A 429 (or a refused connection) made nothing: sent again without a person, even
    where lost replies are parked."""
    engine = engine_for("openrouter", listing=False)
    faults(sim, {"fault": "429", "route": "create", "count": 3, "retry_after": 0.05})
    await engine.start()
    job = await engine.submit(spec("a kite over dunes, refused at first"))
    done = await settled(engine, job.id)
    assert done.status is JobStatus.READY
    assert renders_for(sim, done) == 1


async def test_a_lookup_that_cannot_be_made_parks_the_job(
    engine_for: MakeEngine, sim: SimServer
) -> None:
    """The list itself keeps failing: after a few tries a person decides."""
    engine = engine_for("openai")
    faults(
        sim,
        {"fault": "502", "phase": "after", "route": "create", "count": 1},
        {"fault": "503", "route": "list"},
    )
    await engine.start()
    job = await engine.submit(spec("a kite over dunes, unlisted"))
    done = await settled(engine, job.id)
    assert done.status is JobStatus.UNSURE
    assert "could not be asked" in (done.failure_message or "")


async def test_a_job_cancelled_while_its_create_was_out_stays_cancelled(
    engine_for: MakeEngine, sim: SimServer, store: Store
) -> None:
    """Its reply then lost (cut at the deadline): it is not parked as unsure again."""
    engine = engine_for("openrouter", listing=False, deadline=1.0)
    faults(sim, {"fault": "trickle", "route": "create", "count": 1, "delay": 5})
    await engine.start()
    job = await engine.submit(spec("a kite over dunes, called off"))
    await until(lambda: store.jobs.get(job.id).status is JobStatus.SUBMITTING)  # type: ignore[union-attr]
    await engine.cancel([job.id])
    await until(lambda: not engine._submitting, what="the create's end")
    gone = store.jobs.get(job.id)
    assert gone is not None
    assert gone.status is JobStatus.CANCELLED


async def test_not_in_the_list_is_believed_only_once_the_create_cannot_be_under_way(
    sim: SimServer, store: Store, library: Path
) -> None:
    """The reply lost before the provider made anything: the list says "not there", but a
    provider may list a job a while after it took the create, so it is sent again (under
    its key) only after the window."""
    provider = OpenAIShapeProvider(sim.openai_base_url, sim.api_key, retry=fast_retry())
    engine = Engine(
        store,
        provider,
        provider_key="sim",
        library=library,
        config=fast_config(create_window=2.0),
    )
    try:
        faults(sim, {"fault": "502", "route": "create", "count": 1})  # before: nothing made
        await engine.start()
        job = await engine.submit(spec("a kite over dunes, not there yet"))
        await until(lambda: sim.control("GET", "stats")["requests"].get("openai.list", 0) >= 1)
        assert sends_of(sim, job) == 1  # looked, found nothing, and waits
        sent_at = time.monotonic()
        done = await settled(engine, job.id)
        assert done.status is JobStatus.READY
        assert time.monotonic() - sent_at >= 1.0  # not before the window
        assert (sends_of(sim, done), renders_for(sim, done)) == (2, 1)
    finally:
        await engine.stop()
        await provider.aclose()


async def test_a_list_that_does_not_say_what_each_job_is_cannot_be_matched(
    engine_for: MakeEngine, sim: SimServer
) -> None:
    """A gateway whose list leaves the prompt out: no match could be told from a miss, so
    nothing is sent again on its word; the job waits for a person."""
    engine = engine_for("openai")
    real_recent = engine.provider.recent

    async def without_prompts(since: float) -> list[RemoteJob]:
        return [dataclasses.replace(r, extra={}) for r in await real_recent(since)]

    engine.provider.recent = without_prompts  # type: ignore[method-assign]
    lose_one_create_reply(sim, "502", "openai")
    await engine.start()
    job = await engine.submit(spec("a kite over dunes, unlisted prompts"))
    done = await settled(engine, job.id)
    assert done.status is JobStatus.UNSURE
    assert "does not say what each job is" in (done.failure_message or "")
    assert sends_of(sim, done) == 1


async def test_a_create_that_fails_unexpectedly_is_looked_for_not_left_sending(
    engine_for: MakeEngine,
    sim: SimServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A create that raised something no one foresaw (a bug, a library's own error) after
    the request went out left its job claimed in `submitting` for good: nothing sent it
    again or looked for it. It is handled as a lost reply: looked for, and adopted."""
    engine = engine_for("openai")
    create = engine.provider.create
    failed: list[str] = []

    async def create_then_fail(*args: object, **kw: object) -> RemoteJob:
        await create(*args, **kw)  # type: ignore[arg-type]
        failed.append("once")
        raise RuntimeError("a library's own error")

    monkeypatch.setattr(engine.provider, "create", create_then_fail)
    await engine.start()
    job = await engine.submit(spec("a kite over dunes, a surprise"))
    await until(lambda: failed, 30)
    monkeypatch.setattr(engine.provider, "create", create)
    done = await settled(engine, job.id)
    assert done.status is JobStatus.READY, done.failure_message
    assert (sends_of(sim, done), renders_for(sim, done)) == (1, 1)  # found, not sent again
    assert "found at the provider" in " ".join(
        d or "" for _, _, d in engine.store.jobs.events(job.id)
    )
    assert f"sending job {job.id} failed unexpectedly" in caplog.text  # said, with its trace
