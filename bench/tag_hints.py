"""The linter's hints from defect tags at 100,000 takes: how long the editor's counts take
when they are counted (a template loaded, a preset chosen, the editor back on screen after a
review pass), against a frame (16 ms). The editor counts in a worker thread
(studio.ui.write.tag_hints), so these are how long its hints take to follow, not a stall.

The library: takes with the editor's slots, 400 templates of 250 takes each, one take in
five with a camera preset's text (six presets), tags on about a third of the takes,
decisions on three in four.

(a) a template's hints: its reviewed takes read and counted (`of_templates` +
    `template_hints`), p95 over 40 templates — a template loaded;
(b) a preset's hints: the takes whose prompt holds the preset, found by the full-text
    index, and the counting (`with_texts` + `preset_hints`), p95 over the six camera
    presets — a preset chosen (the library's tag counts known);
(c) the library's tag counts (`tag_counts`: reviewed takes, takes per tag), read once after
    the library changed;
(d) all of it, as the editor counts again when it comes back on screen after a review
    pass: a template, two presets in use, the library's tag counts.

    python bench/tag_hints.py [--takes 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ[var] = tempfile.mkdtemp(prefix="studio-hints-")

from studio.prompts import Preset, PromptSlots, load_presets  # noqa: E402
from studio.prompts.tag_hints import preset_hints, presets_used, template_hints  # noqa: E402
from studio.store import Store  # noqa: E402

SUBJECTS = ("a red fox", "a paper boat", "a matte black speaker", "a heron", "a kite",
            "a steel water bottle", "a lantern", "an owl", "a tram", "a cyclist")  # fmt: skip
ACTIONS = ("trots through fresh snow", "drifts down a gutter", "rotates on a turntable",
           "lands on a jetty", "climbs over dunes", "turns slowly", "crosses a bridge")  # fmt: skip
CAMERAS = ("fast whip pans", "overhead top-down", "low tracking shot", "static wide")
LIGHTS = ("golden hour", "neon night", "overcast daylight", "studio softbox")
TAGS = ("jitter", "limb error", "teleport", "off-frame", "logo", "text artefact")
TEMPLATES, PER_TEMPLATE = 400, 250
FRAME_MS = 16.0


def build(db: Path, takes: int) -> list[int]:
    """The library; returns its template ids."""
    rng = random.Random(4)
    presets = [p.slots["camera"] for p in load_presets()["camera"]]
    store = Store(db)
    with store.db.write() as tx:
        templates = [
            int(
                tx.execute(
                    "INSERT INTO templates (campaign, product, use_case, version, slots_json, "
                    "change_note, created_at) VALUES (?, 'p', 'u', 1, '{}', '', 1.0)",
                    (f"c{t}",),
                ).lastrowid
                or 0
            )
            for t in range(TEMPLATES)
        ]
        for n in range(takes):
            camera = rng.choice(presets) if n % 5 == 0 else rng.choice(CAMERAS)
            slots = PromptSlots(rng.choice(SUBJECTS), rng.choice(ACTIONS), camera=camera,
                                lighting=rng.choice(LIGHTS))  # fmt: skip
            template = templates[n // PER_TEMPLATE] if n // PER_TEMPLATE < TEMPLATES else None
            spec = {"seconds": 4, "size": "640x360", "slots": slots.as_dict()}
            cursor = tx.execute(
                "INSERT INTO jobs (provider, project, model, prompt, spec_json, idem_key, "
                "status, priority, queue_pos, estimated_cost, created_at, updated_at, "
                "template_id) VALUES ('sim', 'p', 'sim-fast', ?, ?, ?, 'ready', 0, ?, 0.2, "
                "1.0, 1.0, ?)",
                (slots.compose(), json.dumps(spec), f"k{n}", float(n), template),
            )
            job_id = int(cursor.lastrowid or 0)
            if rng.random() < 0.75:
                tx.execute(
                    "INSERT INTO take_state (job_id, decision, reviewer, total, decided_at, "
                    "scores_json) VALUES (?, 'approve', 'ana', 4, 1.0, '{}')",
                    (job_id,),
                )
            for tag in rng.sample(TAGS, rng.choice((0, 0, 0, 1, 1, 2))):
                tx.execute("INSERT INTO tags (job_id, tag) VALUES (?, ?)", (job_id, tag))
    store.db.query("ANALYZE")
    store.close()
    return templates


def timed(work: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    ordered = sorted(times)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--takes", type=int, default=100_000)
    args = parser.parse_args()
    db = Path(tempfile.mkdtemp(prefix="studio-hints-db-")) / "studio.db"
    started = time.perf_counter()
    templates = build(db, args.takes)
    print(f"Tag hints: library of {args.takes:,} takes built in "
          f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    store = Store(db)
    presets = load_presets()
    cameras = presets["camera"]
    rng = random.Random(2)
    picked = iter(rng.sample(templates, 40))

    def one_template() -> object:
        return template_hints(store.tag_hints.of_templates([next(picked)]))

    library = store.tag_hints.tag_counts()

    def count_presets(used: list[tuple[Preset, str]], counts: tuple[int, dict[str, int]]) -> object:
        takes = store.tag_hints.with_texts([(p.slots[slot], slot) for p, slot in used])
        return preset_hints(takes, used, reviewed=counts[0], tag_counts=counts[1])

    each = iter(cameras)

    def one_preset() -> object:
        return count_presets([(next(each), "camera")], library)

    lighting = presets["lighting"][0]
    prompt = {"camera": cameras[0].slots["camera"], "lighting": lighting.slots["lighting"]}
    used = presets_used(prompt, presets)

    def again() -> object:
        one = template_hints(store.tag_hints.of_templates([templates[0]]))
        return one, count_presets(used, store.tag_hints.tag_counts())

    try:
        median, p95 = timed(one_template, 40)
        print(f"  (a) a template's hints ({PER_TEMPLATE} takes): median {median:.1f} ms, "
              f"p95 {p95:.1f} ms ({p95 / FRAME_MS:.2f} of a frame)")  # fmt: skip
        median, p95 = timed(one_preset, len(cameras))
        share = args.takes // 5 // len(cameras)
        print(f"  (b) a preset's hints (about {share:,} takes with it): median {median:.1f} ms, "
              f"p95 {p95:.1f} ms ({p95 / FRAME_MS:.2f} of a frame)")  # fmt: skip
        median, p95 = timed(store.tag_hints.tag_counts, 10)
        print(f"  (c) the library's tag counts: median {median:.1f} ms, p95 {p95:.1f} ms "
              f"({p95 / FRAME_MS:.2f} of a frame)")  # fmt: skip
        median, p95 = timed(again, 10)
        print(f"  (d) counted again after a review pass (a template, two presets, the "
              f"library's counts): median {median:.1f} ms, p95 {p95:.1f} ms "
              f"({p95 / FRAME_MS:.2f} of a frame)")  # fmt: skip
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
