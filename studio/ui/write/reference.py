"""Reference image: drop or choose a file, check it, fit it to the output size (crop with a
movable focus, or pad with a colour), and preview exactly the bytes that will be sent.
Checking and fitting run off the UI thread (the box's Background); the latest load and the
latest fit win, an earlier one is cancelled."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
)
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
from shiboken6 import isValid

from studio.core.spec import ReferenceFit, ReferenceImage
from studio.media.framing import crop_box, upscaled
from studio.ui.shell.background import Background, Failure
from studio.ui.shell.theme import set_state

# Pillow (studio.media.images) loads with the first image, asyncio once the event loop runs:
# neither with the editor, which is built before either at start-up (ui/shell/app.py).
if TYPE_CHECKING:
    import asyncio

    from studio.media.images import CheckedImage, FitMode

PREVIEW_HEIGHT = 150


class _Preview(QLabel):
    """The original image with the crop box drawn over it (crop mode), or the padded result
    (pad mode). Dragging moves the crop box with the pointer."""

    focus_moved = Signal(float, float)

    def __init__(self) -> None:
        super().__init__("Drop an image here\nor choose a file")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumHeight(PREVIEW_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setObjectName("referencePreview")
        self._press: QPointF | None = None
        self.focus = (0.5, 0.5)
        self.original: QPixmap | None = None  # scaled to the preview
        self.source_size = (0, 0)
        self.output_size = (1280, 720)
        self.cropping = False

    def show_original(self, original: QPixmap, source_size: tuple[int, int]) -> None:
        self.original = original.scaledToHeight(
            PREVIEW_HEIGHT, Qt.TransformationMode.SmoothTransformation
        )
        self.source_size = source_size
        self.setPixmap(self.original)

    def box(self) -> QRectF | None:
        """The crop box in widget coordinates (None unless cropping an image)."""
        if not self.cropping or self.original is None or not self.source_size[0]:
            return None
        x, y, w, h = crop_box(self.source_size, self.output_size, self.focus)
        picture = self._picture_rect()
        k = picture.width() / self.source_size[0]
        return QRectF(picture.x() + x * k, picture.y() + y * k, w * k, h * k)

    def _picture_rect(self) -> QRectF:
        assert self.original is not None
        w, h = self.original.width(), self.original.height()
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        box = self.box()
        if box is None:
            return
        painter = QPainter(self)
        outside = QPainterPath()
        outside.addRect(self._picture_rect())
        inside = QPainterPath()
        inside.addRect(box)
        painter.fillPath(outside.subtracted(inside), QColor(0, 0, 0, 140))  # what is cut
        pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), 2)
        painter.setPen(pen)
        painter.drawRect(box.adjusted(1, 1, -1, -1))
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press = event.position()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        box = self.box()
        if self._press is None or box is None:
            return
        delta = event.position() - self._press
        self._press = event.position()
        picture = self._picture_rect()
        free_x, free_y = picture.width() - box.width(), picture.height() - box.height()
        fx = self.focus[0] + (delta.x() / free_x if free_x > 1 else 0.0)
        fy = self.focus[1] + (delta.y() / free_y if free_y > 1 else 0.0)
        self.focus = (min(1.0, max(0.0, fx)), min(1.0, max(0.0, fy)))
        self.update()

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
        self.background = Background(self, report=self._failed)
        self._fit_task: asyncio.Task[bytes] | None = None  # the latest fit
        self.loading: asyncio.Task[None] | None = None  # the latest check-and-fit
        self._loading_as: ReferenceFit | None = None  # what that load will show, once in

        self.preview = _Preview()
        self.choose = QPushButton("Choose…")
        self.clear = QPushButton("Remove")
        self.mode = QComboBox()
        self.mode.addItem("Crop to fill", "crop")
        self.mode.addItem("Pad to fit", "pad")
        self.color = QPushButton("Pad colour")
        self.name = QLabel("")  # the person's file name, elided in the middle if long
        self.name.setObjectName("referenceName")
        self.name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.info.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row = QHBoxLayout()
        for w in (self.choose, self.mode, self.color, self.clear):
            row.addWidget(w)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preview)
        layout.addLayout(row)
        layout.addWidget(self.name)
        layout.addWidget(self.info)

        self.choose.clicked.connect(self._choose)
        self.clear.clicked.connect(self.remove)
        self.mode.currentIndexChanged.connect(self.refit)
        self.color.clicked.connect(self._pick_color)
        self.preview.focus_moved.connect(lambda *_: self.refit())
        self._sync_buttons()

    def fit(self) -> ReferenceFit | None:
        """How the image that will be sent was made (kept with the job, with the original
        it was made from)."""
        if self.source is None or self.fitted is None:
            return None
        original = self.original()
        assert original is not None
        return ReferenceFit(
            name=self.source_name,
            mode="pad" if self.mode.currentData() == "pad" else "crop",
            focus=self.preview.focus,
            pad_color=self.pad_color.name(),
            source_size=(self.source.width, self.source.height),
            original_sha256=original.sha256,
            original_mime=original.mime,
        )

    def original(self) -> ReferenceImage | None:
        """The person's image as given, before fitting (kept so it can be framed anew)."""
        if self.source is None:
            return None
        return ReferenceImage(self.source.data, self.source.mime)

    def target(self) -> ReferenceFit | None:
        """The image and framing this box holds, or will once the load under way is in."""
        if self._loading_as is not None:
            return self._loading_as
        return self.fit() if self.source is not None else None

    # ---- input -------------------------------------------------------------------------

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Reference image", "", "Images (*.png *.jpg *.jpeg *.webp)"
        )
        if path:
            self.load(Path(path))

    def load(
        self, path: Path, *, name: str | None = None, fit: ReferenceFit | None = None
    ) -> asyncio.Task[None]:
        """Check and fit `path` off the UI thread; the previous image stays until it works
        (a load still under way is cancelled). `name` is what the person called it (a copy
        in the library is named by its hash); `fit` restores how it was fitted."""
        name = name or path.name
        mode = "pad" if self.mode.currentData() == "pad" else "crop"
        chosen = fit or ReferenceFit(name, mode, pad_color=self.pad_color.name())
        self._loading_as = ReferenceFit(name, chosen.mode, chosen.focus, chosen.pad_color)
        loading = self.background.run(self._load(path, name, fit), "check the image", key="load")
        self.loading = loading

        def done(_: object) -> None:
            if self.loading is loading:  # a later load is still under way: it says
                self._loading_as = None

        loading.add_done_callback(done)
        return loading

    async def _load(self, path: Path, name: str, fit: ReferenceFit | None) -> None:
        import asyncio

        from studio.media.images import ImageError, check_image

        self.info.setText(f"Checking {name}…")
        try:
            checked = await asyncio.to_thread(check_image, path)
        except ImageError as err:
            if not isValid(self.info):
                return
            self.info.setText(str(err))
            self.message.emit(str(err), True)
            return
        if not isValid(self.preview):
            return  # the window closed meanwhile
        self.source, self.source_name = checked, name
        self.preview.focus = fit.focus if fit else (0.5, 0.5)
        if fit is not None:
            self.mode.blockSignals(True)
            self.mode.setCurrentIndex(max(0, self.mode.findData(fit.mode)))
            self.mode.blockSignals(False)
            self.pad_color = QColor(fit.pad_color)
        original = QPixmap()
        original.loadFromData(checked.data)
        self.preview.show_original(original, (checked.width, checked.height))
        fitting = self.refit()
        if fitting is not None:  # done once it is fitted (or a later fit replaced it)
            await asyncio.wait([fitting])

    def _failed(self, failure: Failure) -> None:
        """A check or fit that failed unexpectedly: said where a bad image is."""
        self.info.setText(failure.message)
        self.message.emit(failure.message, True)

    def remove(self) -> None:
        # An image (or a fit) on its way would land after the removal.
        self.background.cancel("load")
        self.background.cancel("fit")
        self._loading_as = None
        self.source, self.fitted, self.source_name = None, None, ""
        self.preview.original = None
        self.preview.cropping = False
        self.preview.clear()
        self.preview.setText("Drop an image here\nor choose a file")
        self.name.setText("")
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
            self.preview.output_size = size
            self.refit()

    def refit(self) -> asyncio.Task[bytes] | None:
        """Fit the image as the box now says, on a worker thread; a fit under way is
        cancelled (its result would be out of date)."""
        source = self.source
        if source is None:
            return None
        from studio.media.images import fit_image

        mode: FitMode = "pad" if self.mode.currentData() == "pad" else "crop"
        pad = (self.pad_color.red(), self.pad_color.green(), self.pad_color.blue())
        size = self.output_size
        work = functools.partial(
            fit_image, source.data, size, mode, pad_color=pad, focus=self.preview.focus
        )
        done = functools.partial(self._fitted, source, mode, size)
        self._fit_task = self.background.run_in_thread(work, "fit the image", key="fit", done=done)
        return self._fit_task

    def _fitted(
        self, source: CheckedImage, mode: FitMode, size: tuple[int, int], fitted: bytes
    ) -> None:
        if source is not self.source:
            return  # the image was replaced meanwhile
        self.fitted = fitted
        self.preview.output_size = size
        self.preview.cropping = mode == "crop"
        if mode == "pad":  # the padded result is what there is to see
            pixmap = QPixmap()
            pixmap.loadFromData(fitted, "PNG")
            self.preview.setPixmap(
                pixmap.scaledToHeight(PREVIEW_HEIGHT, Qt.TransformationMode.SmoothTransformation)
            )
        elif self.preview.original is not None:
            self.preview.setPixmap(self.preview.original)
        self.preview.update()
        self._show_name()
        w, h = size
        source_size = (source.width, source.height)
        lines = [
            f"{source.width}×{source.height} {'cropped' if mode == 'crop' else 'padded'} "
            f"to {w}×{h}" + (" — drag the box to move the crop" if mode == "crop" else "")
        ]
        if upscaled(source_size, size):
            lines.append(
                f"⚠ Smaller than {w}×{h}: it will be upscaled and look soft. "
                "A larger image keeps the detail."
            )
        self.info.setText("\n".join(lines))
        set_state(self.info, "warning", upscaled(source_size, size))
        self._sync_buttons()
        self.changed.emit()

    def _show_name(self) -> None:
        metrics = self.name.fontMetrics()
        width = max(60, self.name.width() or self.width())
        self.name.setText(metrics.elidedText(self.source_name, Qt.TextElideMode.ElideMiddle, width))
        self.name.setToolTip(self.source_name)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.source is not None:
            self._show_name()

    def _sync_buttons(self) -> None:
        has = self.source is not None
        self.clear.setEnabled(has)
        self.color.setEnabled(has and self.mode.currentData() == "pad")
