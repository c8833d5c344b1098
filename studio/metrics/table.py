"""The KPI table as rows of text: what `studio report` prints and the Metrics tab's CSV."""

from __future__ import annotations

import csv
import io

from studio.metrics.kpis import Kpis

COLUMNS = (
    ("group", "group"),
    ("takes", "takes"),
    ("reviewed", "reviewed"),
    ("approved", "approved"),
    ("approval_rate", "approval %"),
    ("renders_per_approved", "renders/approved"),
    ("spend", "spend $"),
    ("cost_per_approved", "$/approved clip"),
    ("cost_per_approved_second", "$/approved s"),
    ("latency_p50", "latency p50 s"),
    ("latency_p95", "latency p95 s"),
    ("policy_rate", "policy %"),
    ("transport_rate", "transport %"),
    ("top_tags", "top defect tags"),
)
PERCENT = {"approval_rate", "policy_rate", "transport_rate"}


def cell(kpis: Kpis, name: str) -> str:
    value = getattr(kpis, name)
    if value is None:
        return "—"  # no figure: nothing to divide by
    if isinstance(value, str):
        return value
    if name == "top_tags":  # share of reviewed takes carrying each
        return ", ".join(f"{tag} {100 * share:.0f} %" for tag, share in value[:3]) or "—"
    if name in PERCENT:
        return f"{100 * value:.0f}"
    if isinstance(value, int):
        return str(value)
    return f"{value:.2f}"


def rows(table: list[Kpis]) -> list[list[str]]:
    return [[title for _, title in COLUMNS]] + [
        [cell(k, name) for name, _ in COLUMNS] for k in table
    ]


def text(table: list[Kpis]) -> str:
    lines = rows(table)
    widths = [max(len(r[i]) for r in lines) for i in range(len(COLUMNS))]

    def line(row: list[str]) -> str:
        cells = zip(row, widths, strict=True)
        return "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(cells))

    return "\n".join(line(r) for r in lines)


def to_csv(table: list[Kpis]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([name for name, _ in COLUMNS])
    for k in table:
        values = [getattr(k, name) for name, _ in COLUMNS if name != "top_tags"]
        tags = ";".join(f"{t}={f:.2f}" for t, f in k.top_tags)
        writer.writerow(["" if v is None else v for v in values] + [tags])
    return out.getvalue()
