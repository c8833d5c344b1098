"""What differs between compared takes, each against the first: the prompt slot by slot
(changed words marked in the theme's colours) and the parameters (model, size, duration,
seed, reference image). Rich text for compare's side column."""

from __future__ import annotations

import html
from collections.abc import Sequence

from studio.review.diff import SlotDiff, parameter_diffs, same_parameters, slot_diffs, words_html
from studio.review.labels import letters
from studio.store import JobRow
from studio.ui.shell.theme import colour


def diff_html(jobs: Sequence[JobRow]) -> str:
    """Each take against the first ("A"). Two takes: every slot, the same ones too. More:
    the slots the same in every take once, then for each take after the first ("B", "C",
    …) only what differs from A."""
    if len(jobs) < 2:
        return ""
    if len(jobs) == 2:
        return pair_html(jobs[0], jobs[1])
    first = jobs[0]
    a = first.spec.slots_or_prompt()
    pairs = [slot_diffs(a, other.spec.slots_or_prompt()) for other in jobs[1:]]
    varied = {d.slot for diffs in pairs for d in diffs if d.changed}
    same = [d for d in pairs[0] if d.slot not in varied]
    parts = ["<h3>The same in every take</h3>"]
    parts += [f"<p><b>{d.label}</b><br>{_words(d.left)}</p>" for d in same] or ["<p>—</p>"]
    for n, (other, diffs) in enumerate(zip(jobs[1:], pairs, strict=True), 1):
        name = letters(n)
        parts.append(f"<hr><h2>{name} against A</h2>")
        parts += [_changed(d, name) for d in diffs if d.changed] or ["<p>Same prompt.</p>"]
        parts.append(_parameters(first, other, name))
    return "".join(parts)


def pair_html(left: JobRow, right: JobRow, name: str = "B") -> str:
    """`right` (called `name`) against `left` ("A"): every slot, then the parameters."""
    a = left.spec.slots_or_prompt()
    b = right.spec.slots_or_prompt()
    rows = [
        _changed(d, name) if d.changed else f"<p><b>{d.label}</b> (same)<br>{_words(d.left)}</p>"
        for d in slot_diffs(a, b)
    ]
    return "<h3>Prompt, slot by slot</h3>" + "".join(rows) + _parameters(left, right, name)


def _changed(d: SlotDiff, name: str) -> str:
    return (
        f"<p><b>{d.label}</b><br>A: {words_html(d.left, colour('diff_removed'))}<br>"
        f"{name}: {words_html(d.right, colour('diff_added'))}</p>"
    )


def _words(words: list[tuple[str, bool]]) -> str:
    return html.escape(" ".join(w for w, _ in words))


def _parameters(left: JobRow, right: JobRow, name: str) -> str:
    params = parameter_diffs(left, right)
    table = "".join(
        f"<tr><td><b>{html.escape(label)}</b></td><td>{html.escape(x)}</td>"
        f"<td>{html.escape(y)}</td></tr>"
        for label, x, y in params
    )
    changes = (
        f"<table cellspacing=4><tr><th></th><th>A</th><th>{name}</th></tr>{table}</table>"
        if params
        else f"<p>{html.escape(same_parameters(left))}</p>"
    )
    return "<h3>Parameters</h3>" + changes
