"""What differs between two takes: their prompts slot by slot (word level) and their
parameters (model, size, seconds, seed, reference image)."""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass

from studio.prompts import LABELS, SLOTS
from studio.store import JobRow


@dataclass(frozen=True)
class SlotDiff:
    slot: str
    label: str
    left: list[tuple[str, bool]]  # words of the left take, True where changed
    right: list[tuple[str, bool]]

    @property
    def changed(self) -> bool:
        return any(c for _, c in self.left) or any(c for _, c in self.right)


def word_diff(a: str, b: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    left, right = a.split(), b.split()
    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    out_a: list[tuple[str, bool]] = []
    out_b: list[tuple[str, bool]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        same = op == "equal"
        out_a += [(w, not same) for w in left[i1:i2]]
        out_b += [(w, not same) for w in right[j1:j2]]
    return out_a, out_b


def slot_diffs(left: dict[str, str], right: dict[str, str]) -> list[SlotDiff]:
    return [
        SlotDiff(slot, LABELS[slot], *word_diff(left.get(slot, ""), right.get(slot, "")))
        for slot in SLOTS
        if left.get(slot) or right.get(slot)
    ]


def parameter_diffs(left: JobRow, right: JobRow) -> list[tuple[str, str, str]]:
    """(label, left value, right value) for every parameter that differs."""
    a, b = _params(left), _params(right)
    return [(label, a[label], b[label]) for label in a if a[label] != b[label]]


def same_parameters(job: JobRow) -> str:
    """What takes whose parameters do not differ share, in words (of one of them): a seed
    left to the provider is said to be drawn anew each time, so the takes still differ."""
    spec, p = job.spec, _params(job)
    seed = "no seed given (each render draws its own)" if spec.seed is None else f"seed {spec.seed}"
    if spec.reference_sha256 is None:
        reference = "no reference image"
    else:
        reference = f"the same reference image ({p['Reference image']})"
    length = f"{spec.seconds} s" if spec.seconds else "the model's own length"
    return f"Same model ({job.model}), size {p['Size']} and {length}; {reference}; {seed}."


def _params(job: JobRow) -> dict[str, str]:
    spec = job.spec
    fit = spec.reference_fit
    if spec.reference_sha256 is None:
        reference = "none"
    elif fit is not None:  # the person's file name, and which fitted image (by its hash)
        reference = f"{fit.name} ({fit.mode}, {spec.reference_sha256[:8]})"
    else:
        reference = f"image {spec.reference_sha256[:8]}…"
    return {
        "Model": job.model,
        "Size": str(spec.frame),
        "Seconds": str(spec.seconds) if spec.seconds else "—",
        "Seed": "—" if spec.seed is None else str(spec.seed),
        "Reference image": reference,
    }


def words_html(words: list[tuple[str, bool]], colour: str) -> str:
    """Words with the changed ones highlighted, for a rich-text label."""
    return " ".join(
        f'<span style="background:{colour}">{html.escape(w)}</span>' if changed else html.escape(w)
        for w, changed in words
    )
