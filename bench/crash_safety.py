"""Crash safety: a batch run by `studio batch` in a subprocess, killed with SIGKILL at random
moments and restarted each time; at the end every job is a verified clip or a failure that
was injected on purpose, and the provider rendered nothing twice.

During the campaign a second engine process is started on the same library each round:
`studio batch --no-wait` must exit 7 naming the holder's pid, and every other round a
second `studio batch` that waits for the lock takes over when the first is killed (and is
killed in its turn). Still no create may be sent twice.

    python bench/crash_safety.py                 # 200 jobs, 10 kills (the full run)
    python bench/crash_safety.py --jobs 20 --kills 3

The test suite runs a scaled-down version of the same harness (tests/jobs/test_crash.py).
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

from studio.files import sha256_file
from studio.sim.server import SimServer
from studio.sim.state import SimConfig
from studio.store import FailureClass, JobStatus, Store

BLOCKED_EVERY = 25  # every 25th prompt names a brand: a policy failure on purpose


@dataclass
class Report:
    jobs: int
    kills: int
    statuses: dict[str, int] = field(default_factory=dict)
    injected_failures: int = 0
    unexpected: list[str] = field(default_factory=list)
    duplicate_creates: int = 0
    create_requests: int = 0
    leftover_parts: int = 0
    empty_files: int = 0
    checksum_mismatches: int = 0
    integrity: str = ""
    runs: int = 0
    seconds: float = 0.0
    rivals: int = 0  # second engines started with --no-wait while the library was held
    rivals_refused: int = 0  # ... that exited 7 and named the holder's pid
    takeovers: int = 0  # waiting second engines started (they run once the holder dies)

    @property
    def ok(self) -> bool:
        ready = self.statuses.get("ready", 0)
        return (
            ready + self.injected_failures == self.jobs
            and not self.unexpected
            and self.duplicate_creates == 0
            and self.leftover_parts == 0
            and self.empty_files == 0
            and self.checksum_mismatches == 0
            and self.integrity == "ok"
            and self.rivals_refused == self.rivals
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


def run(
    jobs: int,
    kills: int,
    *,
    seed: int = 7,
    workdir: Path | None = None,
    render_range: tuple[float, float] = (1.0, 6.0),
    kill_window: tuple[float, float] = (0.5, 5.0),
    finish_timeout: float = 900.0,
) -> Report:
    rng = random.Random(seed)
    work = workdir or Path(tempfile.mkdtemp(prefix="studio-crash-"))
    specs, db = work / "specs.jsonl", work / "data" / "studio.db"
    write_specs(specs, jobs)
    report = Report(jobs=jobs, kills=kills)
    started = time.monotonic()
    config = SimConfig(render_range=render_range, seed=seed, render_workers=2)
    with SimServer(config) as sim:
        command = [
            sys.executable,
            "-m",
            "studio",
            "batch",
            str(specs),
            "--provider",
            "sim",
            "--base-url",
            sim.openai_base_url,
            "--db",
            str(db),
        ]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        lock = db.with_name(db.name + ".lock")
        for round_ in range(kills):
            proc = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
            )
            report.runs += 1
            waiting = None
            if _held_by(lock, proc):
                _rival(command, env, proc, report)
                if round_ % 2:  # a second engine that waits, and takes over after the kill
                    waiting = subprocess.Popen(
                        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
                    )
                    report.takeovers += 1
            time.sleep(rng.uniform(*kill_window))
            report_kill = proc.poll() is None
            if report_kill:
                proc.send_signal(signal.SIGKILL)
            proc.wait()
            if waiting is not None:
                time.sleep(rng.uniform(*kill_window))  # it holds the library now
                if waiting.poll() is None:
                    waiting.send_signal(signal.SIGKILL)
                waiting.wait()
            if not report_kill:
                break  # finished before the planned kill
        final = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=finish_timeout, check=False
        )
        report.runs += 1
        if final.returncode not in (0, 1):
            report.unexpected.append(f"final run exited {final.returncode}: {final.stderr[-500:]}")
        stats = sim.control("GET", "stats")
        report.duplicate_creates = int(stats["duplicate_creates"])
        report.create_requests = sum(stats["create_requests_by_key"].values())
    _verify(report, db)
    report.seconds = time.monotonic() - started
    return report


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


def _rival(
    command: list[str], env: dict[str, str], holder: subprocess.Popen[bytes], report: Report
) -> None:
    """A second engine on the held library, told not to wait: it must step aside, naming
    who holds the library (unless the holder finished before it looked)."""
    report.rivals += 1
    rival = subprocess.run(
        [*command, "--no-wait"], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    if rival.returncode == 7 and f"process {holder.pid} " in rival.stderr:
        report.rivals_refused += 1
    elif holder.poll() is not None:  # the batch was done before the rival started
        report.rivals -= 1
    else:
        report.unexpected.append(f"rival exited {rival.returncode}: {rival.stderr[-300:]}")


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
            elif job.status is not JobStatus.READY:
                report.unexpected.append(f"job {job.id}: {job.status} {job.failure_message}")
            for asset in store.assets.for_job(job.id).values():
                path = library / asset.path
                if not path.exists() or sha256_file(path) != asset.sha256:
                    report.checksum_mismatches += 1
        if len(rows) != report.jobs:
            report.unexpected.append(f"{len(rows)} job rows for {report.jobs} lines")
        report.leftover_parts = len(list(library.rglob("*.part")))
        report.empty_files = sum(
            1 for p in library.rglob("*") if p.is_file() and p.stat().st_size == 0
        )
        report.integrity = store.db.integrity_check()
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    report = run(args.jobs, args.kills, seed=args.seed)
    print(
        f"crash safety: {report.jobs} jobs, {report.runs - 1} kill -9 restarts, "
        f"{report.seconds:.0f} s"
    )
    print(f"  final states:        {report.statuses}")
    print(f"  injected failures:   {report.injected_failures} (policy, on purpose)")
    print(
        f"  duplicate creates:   {report.duplicate_creates} "
        f"({report.create_requests} create requests for {report.jobs} jobs)"
    )
    print(
        f"  leftover .part:      {report.leftover_parts}; zero-length files: "
        f"{report.empty_files}; checksum mismatches: {report.checksum_mismatches}"
    )
    print(f"  integrity_check:     {report.integrity}")
    print(
        f"  second engines:      {report.rivals_refused} of {report.rivals} --no-wait rivals "
        f"exited 7 naming the holder; {report.takeovers} waiting rivals took over after a kill"
    )
    for line in report.unexpected[:20]:
        print(f"  UNEXPECTED: {line}")
    print("  result:              " + ("PASS" if report.ok else "FAIL"))
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
