"""The Metrics tab: the KPI table per project, model, provider or week over a date range, a
weekly trend chart and daily spend against the daily cap (pyqtgraph), project budgets, the
budget alerts raised, and CSV export of the table.
Built the first time the tab is shown: pyqtgraph never loads at start-up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from studio.metrics import compute
from studio.metrics.caps import daily_spend, share_used
from studio.metrics.table import rows, to_csv
from studio.store import Store
from studio.ui.shell.said import say_in
from studio.ui.shell.theme import colour

# What the weekly trend chart can draw: (title, [(KPI, scale, legend)]); at most two lines.
TRENDS: tuple[tuple[str, tuple[tuple[str, float, str], ...]], ...] = (
    ("Approval and cost", (("approval_rate", 100, "approval %"),
                           ("cost_per_approved_second", 100, "¢ per approved second"))),
    ("Cost per approved clip", (("cost_per_approved", 1, "$ per approved clip"),)),
    ("Renders per approved clip", (("renders_per_approved", 1, "renders per approved clip"),)),
    ("Latency", (("latency_p50", 1, "p50 s"), ("latency_p95", 1, "p95 s"))),
    ("Failures", (("policy_rate", 100, "policy %"), ("transport_rate", 100, "transport %"))),
)  # fmt: skip
RANGES = (("Last 7 days", 7), ("Last 30 days", 30), ("Last 90 days", 90), ("All time", 0))
GROUPS = (
    ("Project", "project"),
    ("Template", "template"),
    ("Model", "model"),
    ("Provider", "provider"),
    ("Week", "week"),
)


class MetricsPanel(QWidget):
    def __init__(self, store: Store, set_cap: Callable[[str, float | None], None]) -> None:
        """`set_cap(project, cap)` sets or clears (None) a project's cap, raising its
        alerts (`Services.set_project_cap`)."""
        super().__init__()
        self.store, self.set_cap = store, set_cap
        self.group = QComboBox()
        for text, key in GROUPS:
            self.group.addItem(text, key)
        self.range = QComboBox()
        for text, days in RANGES:
            self.range.addItem(text, days)
        self.range.setCurrentIndex(1)
        self.trend = QComboBox()
        self.trend.setObjectName("metricsTrend")
        self.trend.setToolTip("What the weekly trend chart draws")
        for title, _lines in TRENDS:
            self.trend.addItem(title)
        self.trend.currentIndexChanged.connect(lambda _i: self._chart(self._start()))
        self.save = QPushButton("Export CSV…")
        self.save.clicked.connect(self.export_csv)
        for box in (self.group, self.range):
            box.currentIndexChanged.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(QLabel("Per"))
        top.addWidget(self.group)
        top.addWidget(self.range)
        top.addSpacing(12)
        top.addWidget(QLabel("Trend"))
        top.addWidget(self.trend)
        top.addStretch(1)
        top.addWidget(self.save)

        self.table = QTableWidget()
        self.table.setObjectName("metricsTable")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.chart = pg.PlotWidget(background=colour("base"))
        self.chart.setObjectName("metricsChart")
        self.chart.addLegend(offset=(10, 10))
        self.chart.setLabel("bottom", "week (Monday)")
        self.spend_chart = pg.PlotWidget(background=colour("base"))
        self.spend_chart.setObjectName("spendChart")
        self.spend_chart.addLegend(offset=(10, 10))
        self.spend_chart.setLabel("left", "$ per day")
        for chart in (self.chart, self.spend_chart):
            chart.getViewBox().setDefaultPadding(0.08)  # no point on the frame's edge
            for side in ("left", "bottom"):  # dollars and cents as they are, not "x0.001"
                chart.getAxis(side).enableAutoSIPrefix(False)
        self.spend_chart.setLabel("bottom", "day")
        self.alerts = QListWidget()
        self.alerts.setObjectName("budgetAlerts")
        self.caps = QTableWidget(0, 4)
        self.caps.setObjectName("projectCaps")
        self.caps.setHorizontalHeaderLabels(["Project", "Spent $", "Cap $", "Used"])
        self.caps.verticalHeader().hide()
        self.caps.setToolTip("Type a cap in dollars for a project; clear it for no cap")
        self.caps.itemChanged.connect(self._cap_edited)
        self.cap_problem = QLabel()  # what became of the last cap typed
        self.cap_problem.setWordWrap(True)
        caps = QWidget()
        column = QVBoxLayout(caps)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.caps, 1)
        column.addWidget(self.cap_problem)
        # Budgets and alerts share the room as tabs: stacked, they left a short dock's charts
        # a few pixels.
        budgets = self.budgets = QTabWidget()
        budgets.setObjectName("metricsBudgets")
        budgets.addTab(caps, "Project budgets")
        budgets.addTab(self.alerts, "Budget alerts")
        numbers = QSplitter()  # the table beside the budgets; the two charts below them
        numbers.addWidget(self.table)
        numbers.addWidget(budgets)
        numbers.setStretchFactor(0, 1)
        numbers.setSizes([600, 320])  # the budgets keep room for their four columns
        charts = QSplitter()
        charts.addWidget(self.chart)
        charts.addWidget(self.spend_chart)
        split = self.split = QSplitter()
        split.setOrientation(pg.QtCore.Qt.Orientation.Vertical)
        split.addWidget(numbers)
        split.addWidget(charts)
        split.setStretchFactor(0, 2)  # as `showEvent` shares it, when the dock grows
        split.setStretchFactor(1, 3)
        for small in (self.caps, self.alerts):  # they scroll; the charts need the height
            small.setMinimumHeight(48)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.refresh()

    def _start(self) -> dt.date | None:
        days = int(self.range.currentData())
        return dt.date.today() - dt.timedelta(days=days - 1) if days else None

    def refresh(self) -> None:
        start = self._start()
        self.kpis = compute(self.store, by=str(self.group.currentData()), start=start)
        lines = rows(self.kpis)
        self.table.setColumnCount(len(lines[0]))
        self.table.setHorizontalHeaderLabels(lines[0])
        self.table.setRowCount(len(lines) - 1)
        for r, line in enumerate(lines[1:]):
            for c, value in enumerate(line):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        self._chart(start)
        self._spend_chart(start)
        self._alerts()
        self._caps()

    def _chart(self, start: dt.date | None) -> None:
        by_week = self.group.currentData() == "week"  # the table holds the weeks already
        weeks = self.kpis if by_week else compute(self.store, by="week", start=start)
        self.chart.clear()
        xs = list(range(len(weeks)))
        title, lines = TRENDS[self.trend.currentIndex()]
        self.chart.setLabel("left", title)  # short: the legend names each line and its unit
        for (kpi, scale, legend), key, symbol in zip(
            lines, ("accent", "warning"), ("o", "s"), strict=False
        ):
            values = [getattr(w, kpi) for w in weeks]  # a week without a figure: a gap
            if all(v is None for v in values):
                continue  # no figure in any week: nothing to draw
            ys = [float("nan") if v is None else scale * v for v in values]
            pen = pg.mkPen(colour(key), width=2)
            self.chart.plot(xs, ys, pen=pen, symbol=symbol, symbolBrush=colour(key),
                            symbolPen=pen, name=legend, connect="finite")  # fmt: skip
        axis = self.chart.getAxis("bottom")
        axis.setTicks([[(i, w.group[5:]) for i, w in enumerate(weeks)]])
        self.chart.setXRange(-0.5, max(len(weeks) - 0.5, 0.5))

    def _spend_chart(self, start: dt.date | None) -> None:
        """Bars of each day's spend (over the cap in the warning colour) and the cap that
        applied that day as a line (a gap where there was none). All time: the last 90 days."""
        today = dt.date.today()
        days = daily_spend(self.store, start or today - dt.timedelta(days=89), today)
        self.spend = days
        self.spend_chart.clear()
        xs = list(range(len(days)))
        over = [d.used is not None and d.used > 1 + 1e-9 for d in days]
        brushes = [pg.mkBrush(colour("warning" if o else "accent")) for o in over]
        bars = pg.BarGraphItem(x=xs, height=[d.spent for d in days], width=0.7, brushes=brushes,
                               brush=colour("accent"),  # the legend's swatch
                               pens=[pg.mkPen(None)] * len(days), name="spend $")  # fmt: skip
        self.spend_chart.addItem(bars)
        steps_x: list[float] = []  # the cap as steps across each day's bar; a gap: no cap
        steps_y: list[float] = []
        for i, d in enumerate(days):
            steps_x += [i - 0.5, i + 0.5]
            steps_y += [float("nan") if d.cap is None else d.cap] * 2
        if any(d.cap is not None for d in days):  # no cap at all: no line
            pen = pg.mkPen(colour("error"), width=2)
            self.spend_chart.plot(steps_x, steps_y, pen=pen, connect="finite", name="daily cap $")
        axis = self.spend_chart.getAxis("bottom")
        step = max(1, len(days) // 5)  # a label every few days, never crowded; today's always
        labelled = range(len(days) - 1, -1, -step)
        axis.setTicks([[(i, days[i].day.isoformat()[5:]) for i in reversed(labelled)]])
        self.spend_chart.setXRange(-0.5, max(len(days) - 0.5, 0.5))
        if not any(d.spent or d.cap for d in days):  # nothing spent, no cap: $0 to $1
            self.spend_chart.setYRange(0, 1)
        else:
            self.spend_chart.enableAutoRange(axis="y")

    def showEvent(self, event: QShowEvent) -> None:
        """The first time it is shown: two fifths of the height for the table and budgets
        (a few rows of each in view), three fifths for the charts."""
        super().showEvent(event)
        if not getattr(self, "_sized", False):
            self._sized = True
            total = max(self.split.height(), 2)
            self.split.setSizes([total * 2 // 5, total - total * 2 // 5])

    def _alerts(self) -> None:
        self.alerts.clear()
        for scope, key, _period, threshold, at in self.store.budgets.recent_alerts(50):
            when = dt.datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M")
            what = "daily budget" if scope == "daily" else f"{key} budget"  # (its day: `when`)
            self.alerts.addItem(f"{when}  {what} reached {threshold} %")
        raised = self.alerts.count()
        self.budgets.setTabText(1, f"Budget alerts ({raised})" if raised else "Budget alerts")
        if not raised:
            self.alerts.addItem("No budget alerts.")

    def _caps(self) -> None:
        budgets = self.store.budgets
        projects = self.store.jobs.recent_projects(limit=50)
        self.caps.blockSignals(True)
        self.caps.setRowCount(len(projects))
        for row, project in enumerate(projects):
            cap = budgets.cap("project", project)
            spent = budgets.spent(project=project)
            cells = (
                project,
                f"{spent:.2f}",
                "" if cap is None else f"{cap:.2f}",
                _used(spent, cap),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column != 2:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.caps.setItem(row, column, item)
        self.caps.blockSignals(False)
        self.caps.resizeColumnsToContents()

    def _cap_edited(self, item: QTableWidgetItem) -> None:
        if item.column() != 2:
            return
        name = self.caps.item(item.row(), 0)
        if name is None:
            return
        project = name.text()
        text = item.text().strip().lstrip("$")
        try:
            cap = float(text) if text else None
        except ValueError:
            cap = -1.0
        before = self.store.budgets.cap("project", project)
        kept = "no cap" if before is None else f"${before:.2f}"
        if cap is not None and not (0 <= cap < 1e9):
            self._cap_said(
                f"'{item.text()}' is not an amount in dollars (e.g. 50 or 12.50): "
                f"{project} keeps {kept}.",
                error=True,
            )
            self._caps()  # the cell shows the cap in force again
            return
        self.set_cap(project, cap)  # takes effect at the next send
        self._cap_said(f"{project}: no cap." if cap is None else f"{project}: cap ${cap:.2f}.")
        self._caps()
        self._alerts()  # a cap set below what is spent raises its alerts at once

    def _cap_said(self, text: str, *, error: bool = False) -> None:
        say_in(self.cap_problem, text, error=error)

    def export_csv(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export the table", "metrics.csv", "*.csv")
            if not path:
                return
        with open(path, "w", encoding="utf-8", newline="") as out:
            out.write(to_csv(self.kpis))


def _used(spent: float, cap: float | None) -> str:
    share = share_used(spent, cap)
    if share is None:
        return "—"
    return "over" if share == float("inf") else f"{100 * share:.0f} %"
