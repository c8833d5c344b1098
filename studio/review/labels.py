"""Neutral names for takes judged blind: "Take A", "Take B", … ("Take AA" after Z), so
nothing of a take's number (the order it was queued in, and so its variant) shows."""

from __future__ import annotations

import string
from collections.abc import Sequence

import numpy as np


def letters(n: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA" (as spreadsheet columns are named)."""
    found = ""
    n += 1
    while n:
        n, left = divmod(n - 1, 26)
        found = string.ascii_uppercase[left] + found
    return found


def ordered_labels(job_ids: Sequence[int]) -> dict[int, str]:
    """ "Take A", "Take B", … in the order given."""
    return {job_id: f"Take {letters(n)}" for n, job_id in enumerate(job_ids)}


def neutral_labels(job_ids: Sequence[int], rng: np.random.Generator) -> dict[int, str]:
    """ "Take A", "Take B", … given to the takes in a random order."""
    return ordered_labels([job_ids[int(i)] for i in rng.permutation(len(job_ids))])
