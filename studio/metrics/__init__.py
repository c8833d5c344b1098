"""KPIs over the store (no Qt): see docs/metrics.md for what each number means."""

from studio.metrics.kpis import GROUPS, Kpis, compute, spend_of

__all__ = ["GROUPS", "Kpis", "compute", "spend_of"]
