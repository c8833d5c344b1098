"""Reference image: drop or choose a file, check it, fit it to the output size (crop with a
movable focus, or pad with a colour), and preview exactly the bytes that will be sent."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from studio.images import CheckedImage, FitMode, ImageError, check_image, fit_image

PREVIEW_HEIGHT = 150


class _Preview(QLabel):
    """Shows the fitted image; dragging moves the crop towards where the pointer goes."""

    focus_moved = Signal(float, float)

    def __init__(self) -> None:
        super().__init__("Drop an image here\nor choose a file")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumHeight(PREVIEW_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setObjectName("referencePreview")
        self.setStyleSheet(
            "#referencePreview { border: 1px dashed palette(mid); "
            "border-radius: 6px; color: palette(mid); }"
        )
        self._press: QPointF | None = None
        self.focus = (0.5, 0.5)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press = event.position()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None or self.width() == 0 or self.height() == 0:
            return
        delta = event.position() - self._press
        self._press = event.position()
        fx = min(1.0, max(0.0, self.focus[0] - delta.x() / self.width()))
        fy = min(1.0, max(0.0, self.focus[1] - delta.y() / self.height()))
        self.focus = (fx, fy)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._press is not None:
            self._press = None
            self.focus_moved.emit(*self.focus)


class ReferenceBox(QWidget):
    """Holds the checked source image and the fitted PNG bytes that will be sent."""

    changed = Signal()
    message = Signal(str, bool)  # text, is_error

    def __init__(self) -> None:
        super().__init__()
        self.source: CheckedImage | None = None
        self.source_name = ""
        self.fitted: bytes | None = None
        self.output_size = (1280, 720)
        self.pad_color = QColor(0, 0, 0)
        self._fit_task: asyncio.Future[None] | None = None
        self.loading: asyncio.Future[None] | None = None  # the latest check-and-fit

        self.preview = _Preview()
        self.choose = QPushButton("Choose…")
        self.clear = QPushButton("Remove")
        self.mode = QComboBox()
        self.mode.addItem("Crop to fill", "crop")
        self.mode.addItem("Pad to fit", "pad")
        self.color = QPushButton("Pad colour")
        self.info = QLabel("")
        self.info.setWordWrap(True)
        row = QHBoxLayout()
        for w in (self.choose, self.mode, self.color, self.clear):
            row.addWidget(w)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preview)
        layout.addLayout(row)
        layout.addWidget(self.info)

        self.choose.clicked.connect(self._choose)
        self.clear.clicked.connect(self.remove)
        self.mode.currentIndexChanged.connect(self.refit)
        self.color.clicked.connect(self._pick_color)
        self.preview.focus_moved.connect(lambda *_: self.refit())
        self._sync_buttons()

    # ---- input -------------------------------------------------------------------------

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Reference image", "", "Images (*.png *.jpg *.jpeg *.webp)"
        )
        if path:
            self.load(Path(path))

    def load(self, path: Path) -> asyncio.Future[None]:
        """Check and fit `path` off the UI thread; the previous image stays until it works."""
        self.loading = asyncio.ensure_future(self._load(path))
        return self.loading

    async def _load(self, path: Path) -> None:
        self.info.setText(f"Checking {path.name}…")
        try:
            checked = await asyncio.to_thread(check_image, path)
        except ImageError as err:
            self.info.setText(str(err))
            self.message.emit(str(err), True)
            return
        self.source, self.source_name = checked, path.name
        self.preview.focus = (0.5, 0.5)
        await self._fit()

    def remove(self) -> None:
        self.source, self.fitted, self.source_name = None, None, ""
        self.preview.clear()
        self.preview.setText("Drop an image here\nor choose a file")
        self.info.setText("")
        self._sync_buttons()
        self.changed.emit()

    def _pick_color(self) -> None:
        color = QColorDialog.getColor(self.pad_color, self, "Pad colour")
        if color.isValid():
            self.pad_color = color
            self.refit()

    # ---- fitting -----------------------------------------------------------------------

    def set_output_size(self, size: tuple[int, int]) -> None:
        if size != self.output_size:
            self.output_size = size
            self.refit()

    def refit(self) -> None:
        if self.source is not None:
            self._fit_task = asyncio.ensure_future(self._fit())

    async def _fit(self) -> None:
        source = self.source
        if source is None:
            return
        mode: FitMode = "pad" if self.mode.currentData() == "pad" else "crop"
        pad = (self.pad_color.red(), self.pad_color.green(), self.pad_color.blue())
        fitted = await asyncio.to_thread(
            fit_image, source.data, self.output_size, mode, pad_color=pad, focus=self.preview.focus
        )
        if source is not self.source:
            return  # replaced meanwhile
        self.fitted = fitted
        pixmap = QPixmap()
        pixmap.loadFromData(fitted, "PNG")
        self.preview.setPixmap(
            pixmap.scaledToHeight(PREVIEW_HEIGHT, Qt.TransformationMode.SmoothTransformation)
        )
        w, h = self.output_size
        hint = " — drag the picture to move the crop" if mode == "crop" else ""
        self.info.setText(
            f"{self.source_name}: {source.width}×{source.height}, "
            f"{'cropped' if mode == 'crop' else 'padded'} to {w}×{h}{hint}"
        )
        self._sync_buttons()
        self.changed.emit()

    def _sync_buttons(self) -> None:
        has = self.source is not None
        self.clear.setEnabled(has)
        self.color.setEnabled(has and self.mode.currentData() == "pad")
