"""Export of approved takes (no Qt): byte-exact copies, sidecars, manifest, checksums."""

from studio.export.names import DEFAULT_TEMPLATE, TemplateError
from studio.export.run import Cancelled, ExportReport, export_takes, takes_to_export

__all__ = [
    "DEFAULT_TEMPLATE",
    "Cancelled",
    "ExportReport",
    "TemplateError",
    "export_takes",
    "takes_to_export",
]
