"""Crash safety: a batch run by `studio batch` in a subprocess, killed with SIGKILL at random
moments and restarted each time; at the end every line is a verified clip, a failure
injected on purpose, or (where the provider can neither be asked nor honours keys) a job
parked as unsure for a person — none lost — and the provider rendered nothing twice.

Each round a second `studio batch` on the same file starts while the first holds the
library: it queues nothing new (its lines are there), follows the jobs the holder sends,
and when the holder is killed takes the library over and carries on, until it is killed
in its turn.

Modes:
    python bench/crash_safety.py                  # 200 jobs, 10 kills, OpenAI shape
    python bench/crash_safety.py --faults         # + random unsure create faults (5xx, HTML,
                                                  #   reset, cut reply) and poll/download
                                                  #   faults, on both shapes
    python bench/crash_safety.py --lock-off       # two engines at once on one library with
                                                  #   the file lock off, creates answered
                                                  #   after 3 s, one killed each round
    python bench/crash_safety.py --jobs 20 --kills 3

The test suite runs scaled-down versions of the same harness (tests/jobs/test_crash.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.core.files import sha256_file
from studio.sim.server import SimServer
from studio.sim.state import SimConfig
from studio.store import FailureClass, JobStatus, Store

BLOCKED_EVERY = 25  # every 25th prompt names a brand: a policy failure on purpose
UNSURE_FAULTS = ("500", "502", "503", "504", "html", "reset", "truncate")


@dataclass
class Report:
    jobs: int
    kills: int
    shape: str = "openai"
    mode: str = "kills"
    statuses: dict[str, int] = field(default_factory=dict)
    injected_failures: int = 0
    unsure_parked: int = 0
    lost: int = 0  # a line without a row, or a row neither ready, injected nor parked
    unexpected: list[str] = field(default_factory=list)
    duplicate_creates: int = 0
    create_requests: int = 0
    unsure_faults: int = 0  # create replies spoiled after the provider made the job
    leftover_parts: int = 0
    empty_files: int = 0
    checksum_mismatches: int = 0
    integrity: str = ""
    runs: int = 0
    seconds: float = 0.0
    seconds_engines: int = 0  # second engines started while the library was held
    joined: int = 0  # ... that followed the holder's engine (no second lease meanwhile)
    takeovers: int = 0  # ... that took the library over once the holder was killed
    leases: int = 0  # engine leases opened in all (one per engine run)

    @property
    def ok(self) -> bool:
        settled = self.statuses.get("ready", 0) + self.injected_failures + self.unsure_parked
        return (
            settled == self.jobs
            and self.lost == 0
            and not self.unexpected
            and self.duplicate_creates == 0
            and self.leftover_parts == 0
            and self.empty_files == 0
            and self.checksum_mismatches == 0
            and self.integrity == "ok"
        )


def write_specs(path: Path, count: int) -> None:
    lines = []
    for i in range(count):
        subject = "Coca-Cola bottle" if i % BLOCKED_EVERY == BLOCKED_EVERY - 1 else "paper boat"
        prompt = f"A {subject} drifting down a gutter stream, take {i}, slow dolly in"
        lines.append(
            json.dumps({"prompt": prompt, "model": "sim-fast", "seconds": 4, "size": "640x360"})
        )
    path.write_text("\n".join(lines) + "\n")


def fault_rules(shape: str) -> list[dict[str, Any]]:
    """Random unsure create faults (the job is made, its reply spoiled; the first create
    always), and transient faults on polls and downloads."""
    first = {"fault": "502", "route": "create", "shape": shape, "phase": "after", "count": 1}
    rules: list[dict[str, Any]] = [first] + [
        {"fault": f, "route": "create", "shape": shape, "phase": "after", "probability": 0.02}
        for f in UNSURE_FAULTS
    ]
    status_route = "list" if shape == "openai" else "retrieve"
    rules += [
        {"fault": "503", "route": status_route, "shape": shape, "probability": 0.03},
        {"fault": "reset", "route": status_route, "shape": shape, "probability": 0.02},
        {"fault": "truncate", "route": "content", "shape": shape, "probability": 0.03},
        {"fault": "429", "route": "create", "shape": shape, "probability": 0.03, "retry_after": 1},
    ]
    return rules


def run(
    jobs: int,
    kills: int,
    *,
    seed: int = 7,
    workdir: Path | None = None,
    render_range: tuple[float, float] = (1.0, 6.0),
    kill_window: tuple[float, float] = (0.5, 5.0),
    finish_timeout: float = 900.0,
    shape: str = "openai",
    faults: bool = False,
    lock_off: bool = False,
) -> Report:
    rng = random.Random(seed)
    work = workdir or Path(tempfile.mkdtemp(prefix="studio-crash-"))
    specs, db = work / "specs.jsonl", work / "data" / "studio.db"
    write_specs(specs, jobs)
    mode = "lock-off" if lock_off else "faults" if faults else "kills"
    report = Report(jobs=jobs, kills=kills, shape=shape, mode=mode)
    started = time.monotonic()
    config = SimConfig(render_range=render_range, seed=seed, render_workers=2)
    with SimServer(config) as sim:
        base = sim.openai_base_url if shape == "openai" else sim.openrouter_base_url
        provider = "sim" if shape == "openai" else "openrouter"
        command = [
            sys.executable, "-m", "studio", "batch", str(specs),
            "--provider", provider, "--base-url", base, "--db", str(db),
        ]  # fmt: skip
        # The simulator lists a job the moment it makes it: a lost create's lookup need not
        # wait the 30 s a real provider is given before "not there" is believed.
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "STUDIO_API_KEY": sim.api_key,
            "STUDIO_CREATE_WINDOW": "2",
        }
        if lock_off:
            env["STUDIO_LIBRARY_LOCK"] = "off"
            sim.control("POST", "faults", {"rules": [{"fault": "slow", "route": "create",
                                                      "delay": 3.0}]})  # fmt: skip
        elif faults:
            sim.control("POST", "faults", {"rules": fault_rules(shape)})
        lock = db.with_name(db.name + ".lock")
        for _ in range(kills):
            first = _start(command, env)
            report.runs += 1
            if lock_off:
                finished = _two_at_once(command, env, first, rng, kill_window, report)
            else:
                finished = _with_a_second_engine(
                    command, env, first, lock, rng, kill_window, report
                )
            if finished:
                break  # done before the planned kill
        final = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=finish_timeout, check=False
        )
        report.runs += 1
        if final.returncode not in (0, 1):
            report.unexpected.append(f"final run exited {final.returncode}: {final.stderr[-500:]}")
        stats = sim.control("GET", "stats")
        report.duplicate_creates = int(stats["duplicate_creates"])
        report.create_requests = sum(stats["create_requests_by_key"].values())
        spoiled = stats["faults_by_route"]
        report.unsure_faults = sum(
            int(spoiled.get(f"{shape}.create:{f}", 0)) for f in UNSURE_FAULTS
        )
    _verify(report, db)
    report.seconds = time.monotonic() - started
    return report


_LOGS: dict[int, Path] = {}


def _start(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A `studio batch`, its messages kept in a file (a pipe nobody reads would fill up and
    stall it)."""
    log = Path(command[command.index("--db") + 1]).parent.parent / f"run-{len(_LOGS)}.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=sink, env=env)
    _LOGS[proc.pid] = log
    return proc


def _kill(proc: subprocess.Popen[bytes]) -> bool:
    """SIGKILL it if it still runs (and reap it: a zombie's pid looks alive); True if it had
    finished by itself."""
    finished = proc.poll() is not None
    if not finished:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    return finished


def _with_a_second_engine(
    command: list[str],
    env: dict[str, str],
    first: subprocess.Popen[bytes],
    lock: Path,
    rng: random.Random,
    window: tuple[float, float],
    report: Report,
) -> bool:
    """The holder, and a second `studio batch` that joins it, follows, and takes over."""
    second = None
    if _held_by(lock, first):
        second = _start(command, env)
        report.seconds_engines += 1
        if _joined(second):
            report.joined += 1
    time.sleep(rng.uniform(*window))
    finished = _kill(first)
    if second is None:
        return finished
    if _held_by(lock, second, timeout=30):
        report.takeovers += 1
        time.sleep(rng.uniform(*window))
    return _kill(second) and finished


def _two_at_once(
    command: list[str],
    env: dict[str, str],
    first: subprocess.Popen[bytes],
    rng: random.Random,
    window: tuple[float, float],
    report: Report,
) -> bool:
    """Two engines at once (the lock lets both in); one killed, the other a moment later."""
    time.sleep(rng.uniform(0.2, 1.0))  # the first has creates in flight
    second = _start(command, env)
    report.seconds_engines += 1
    time.sleep(rng.uniform(*window))
    finished = _kill(first)
    time.sleep(rng.uniform(*window))
    return _kill(second) and finished


def _held_by(lock: Path, proc: subprocess.Popen[bytes], timeout: float = 15.0) -> bool:
    """Wait until `proc` holds the library lock (its pid is written in the lock file)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if json.loads(lock.read_text() or "{}").get("pid") == proc.pid:
                return True
        except (OSError, ValueError):
            pass
        time.sleep(0.02)
    return False


def _joined(proc: subprocess.Popen[bytes], timeout: float = 20.0) -> bool:
    """Whether the second batch said it follows the holder's engine (its first line)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if b"its engine sends these jobs" in _LOGS[proc.pid].read_bytes():
            return True
        time.sleep(0.02)
    return False


def _verify(report: Report, db: Path) -> None:
    store = Store(db)
    try:
        library = db.parent / "library"
        rows = store.jobs.with_status(*JobStatus)
        for job in rows:
            report.statuses[job.status.value] = report.statuses.get(job.status.value, 0) + 1
            blocked = "Coca-Cola" in job.prompt
            if blocked and job.failure_class is FailureClass.POLICY:
                report.injected_failures += 1
            elif job.status is JobStatus.UNSURE:
                report.unsure_parked += 1
            elif job.status is not JobStatus.READY:
                report.lost += 1
                report.unexpected.append(f"job {job.id}: {job.status} {job.failure_message}")
            for asset in store.assets.for_job(job.id).values():
                path = library / asset.path
                if not path.exists() or sha256_file(path) != asset.sha256:
                    report.checksum_mismatches += 1
        if len(rows) != report.jobs:
            report.lost += abs(report.jobs - len(rows))
            report.unexpected.append(f"{len(rows)} job rows for {report.jobs} lines")
        report.leftover_parts = len(list(library.rglob("*.part")))
        report.empty_files = sum(
            1 for p in library.rglob("*") if p.is_file() and p.stat().st_size == 0
        )
        report.integrity = store.db.integrity_check()
        report.leases = int(store.db.query("SELECT COUNT(*) FROM engine_leases")[0][0])
    finally:
        store.close()


def show(report: Report) -> None:
    print(
        f"crash safety ({report.mode}, {report.shape} shape): {report.jobs} jobs, "
        f"{report.runs - 1} kill -9 rounds, {report.seconds:.0f} s"
    )
    print(f"  final states:        {report.statuses}")
    print(f"  injected failures:   {report.injected_failures} (policy, on purpose)")
    print(
        f"  duplicate creates:   {report.duplicate_creates} "
        f"({report.create_requests} create requests for {report.jobs} jobs)"
    )
    print(f"  lost jobs:           {report.lost}")
    print(
        f"  unsure parked:       {report.unsure_parked} "
        f"({report.unsure_faults} create replies spoiled after the job was made)"
    )
    print(
        f"  leftover .part:      {report.leftover_parts}; zero-length files: "
        f"{report.empty_files}; checksum mismatches: {report.checksum_mismatches}"
    )
    print(f"  integrity_check:     {report.integrity}")
    print(
        f"  second engines:      {report.seconds_engines} started while the library was held; "
        f"{report.joined} followed the holder, {report.takeovers} took over after the kill; "
        f"{report.leases} engine leases in all"
    )
    for line in report.unexpected[:20]:
        print(f"  UNEXPECTED: {line}")
    print("  result:              " + ("PASS" if report.ok else "FAIL"))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--faults", action="store_true", help="random unsure faults, both shapes")
    parser.add_argument("--lock-off", action="store_true", help="two engines, the lock off")
    args = parser.parse_args()
    shapes = ("openai", "openrouter") if args.faults else ("openai",)
    ok = True
    for shape in shapes:
        report = run(
            args.jobs,
            args.kills,
            seed=args.seed,
            shape=shape,
            faults=args.faults,
            lock_off=args.lock_off,
        )
        show(report)
        ok = ok and report.ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
