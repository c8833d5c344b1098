"""What differs between compared takes, each against the first: the prompt slot by slot
(changed words marked in the theme's colours) and the parameters (model, size, duration,
seed, reference image). Rich text for compare's side column."""

from __future__ import annotations

import html
from collections.abc import Sequence

from studio.review.diff import parameter_diffs, slot_diffs, words_html
from studio.review.labels import letters
from studio.store import JobRow
from studio.ui.shell.theme import colour


def diff_html(jobs: Sequence[JobRow]) -> str:
    """Each take against the first ("A"): one section per take after it ("B", "C", …),
    headed by the pair when there are more than two."""
    if len(jobs) < 2:
        return ""
    first = jobs[0]
    sections = []
    for n, other in enumerate(jobs[1:], 1):
        body = pair_html(first, other, letters(n))
        sections.append(body if len(jobs) == 2 else f"<h2>{letters(n)} against A</h2>{body}")
    return "<hr>".join(sections)


def pair_html(left: JobRow, right: JobRow, name: str = "B") -> str:
    """`right` (called `name`) against `left` ("A")."""
    a = left.spec.slots_or_prompt()
    b = right.spec.slots_or_prompt()
    rows = []
    for d in slot_diffs(a, b):
        if not d.changed:
            same = html.escape(" ".join(w for w, _ in d.left))
            rows.append(f"<p><b>{d.label}</b> (same)<br>{same}</p>")
            continue
        rows.append(
            f"<p><b>{d.label}</b><br>A: {words_html(d.left, colour('diff_removed'))}<br>"
            f"{name}: {words_html(d.right, colour('diff_added'))}</p>"
        )
    params = parameter_diffs(left, right)
    table = "".join(
        f"<tr><td><b>{html.escape(label)}</b></td><td>{html.escape(x)}</td>"
        f"<td>{html.escape(y)}</td></tr>"
        for label, x, y in params
    )
    changes = (
        f"<table cellspacing=4><tr><th></th><th>A</th><th>{name}</th></tr>{table}</table>"
        if params
        else "<p>Same model, size, duration, seed and reference image.</p>"
    )
    return "<h3>Prompt, slot by slot</h3>" + "".join(rows) + "<h3>Parameters</h3>" + changes
