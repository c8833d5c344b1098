"""Icons from `resources/icons` (Lucide, ISC), tinted to the palette so they read on the
dark and the light theme alike; rendered once per colour and size."""

from __future__ import annotations

import functools

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from studio.core.resources import resources_dir

SIZES = (16, 20, 24, 32, 48)


@functools.cache
def _svg(name: str) -> str:
    return (resources_dir() / "icons" / f"{name}.svg").read_text(encoding="utf-8")


@functools.cache
def icon(name: str, colour: str) -> QIcon:
    """The named icon drawn in `colour` (a "#rrggbb" string), at the usual sizes."""
    renderer = QSvgRenderer(QByteArray(_svg(name).replace("currentColor", colour).encode()))
    result = QIcon()
    for size in SIZES:
        image = QImage(QSize(size, size), QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        result.addPixmap(QPixmap.fromImage(image))
    return result


def tinted(name: str, colour: QColor) -> QIcon:
    return icon(name, colour.name())
