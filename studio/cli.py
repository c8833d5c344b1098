"""`studio`: the window by default, and headless commands that share its core.

This module is what the `studio` console script (and `make run`) starts, so it stays light:
argparse and the names of things. Each command's machinery (the engine, httpx, PyAV, the
simulator) is imported when that command runs; the window's path imports only Qt's shell
first (tests/test_cli.py checks what `import studio.cli` loads).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TextIO

from studio import __version__
from studio.core import startup_trace
from studio.core.errors import EXIT_CODES, PRIORITY, StudioError
from studio.providers.kinds import KINDS


def _exit_codes() -> str:
    rows = "\n".join(f"  {code:>3}  {text}" for code, text in EXIT_CODES.items())
    order = ", ".join(map(str, PRIORITY))
    return f"exit codes:\n{rows}\nwhen several apply, the first of {order} is returned."


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="studio",
        description="Studio: a review studio for AI-generated video.",
        epilog=_exit_codes(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"studio {__version__}")
    parser.add_argument(
        "--trace-startup",
        type=Path,
        metavar="FILE",
        help="write start-up timings (JSON lines) to FILE (also STUDIO_TRACE_STARTUP)",
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("gui", help="open the studio window (the default)")

    def provider_args(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--provider",
            choices=KINDS,
            help="sim (built-in simulator), openai (OpenAI-shape URL) or openrouter "
            "(default: the provider chosen in Settings, as the app uses)",
        )
        p.add_argument(
            "--base-url",
            help="API base URL, e.g. https://gateway.example.com/v1 (default: Settings')",
        )
        p.add_argument("--rpm", type=int, help="requests per minute allowed by the provider")
        p.add_argument(
            "--sim-render-seconds",
            type=float,
            default=6.0,
            help="render time of the built-in simulator (default 6)",
        )

    def library_args(p: argparse.ArgumentParser, *, engine: bool = False) -> None:
        p.add_argument("--db", type=Path, help="library database (default: the platform data dir)")
        p.add_argument(
            "--library",
            type=Path,
            help="folder for clips (default: the one set in Settings for the library in the "
            "data dir; beside --db for another)",
        )
        if not engine:
            return
        p.add_argument(
            "--no-wait",
            action="store_true",
            help="if another Studio process holds this library and cannot send these jobs "
            "(an older Studio, another provider), exit (code 7) at once instead of waiting",
        )
        p.add_argument(
            "--resend-unsure",
            action="store_true",
            help="send again the jobs whose create is unsure (the provider may be rendering "
            "them: they may be paid twice)",
        )

    gen = sub.add_parser(
        "generate",
        help="render one clip into the library and save a copy",
        epilog=_exit_codes(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    gen.add_argument("--prompt", required=True, help="what to render")
    gen.add_argument("--model", help="model id (default: the provider's first model)")
    gen.add_argument("--seconds", type=int, help="duration in seconds")
    gen.add_argument("--size", help="WIDTHxHEIGHT, e.g. 1280x720")
    gen.add_argument("--resolution", help="e.g. 720p (with --aspect, for models that use it)")
    gen.add_argument("--aspect", help="aspect ratio, e.g. 16:9")
    gen.add_argument("--seed", type=int)
    gen.add_argument("--audio", action=argparse.BooleanOptionalAction, default=None)
    gen.add_argument("--image", type=Path, help="reference image (PNG, JPEG or WebP)")
    gen.add_argument(
        "--fit",
        choices=("crop", "pad"),
        default=None,
        help="how the image is fitted to the output size (default crop)",
    )
    gen.add_argument(
        "--out",
        type=Path,
        default=Path("clip.mp4"),
        help="where to save the MP4; a folder saves under a name made from the prompt",
    )
    gen.add_argument(
        "--again",
        action="store_true",
        help="render another take even if one with these settings was just queued",
    )
    gen.add_argument("--project", default="default", help="project the take belongs to")
    gen.add_argument(
        "--timeout", type=float, default=3600.0, help="give up after N seconds (whole command)"
    )
    library_args(gen, engine=True)
    provider_args(gen)

    batch = sub.add_parser(
        "batch",
        help="queue every line of a JSONL file and run them to the end (resumable)",
        epilog=_exit_codes(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    batch.add_argument(
        "file",
        type=Path,
        help='one JSON spec per line, e.g. {"prompt": "...", "model": "sim-fast", "seconds": 4}',
    )
    library_args(batch, engine=True)
    batch.add_argument(
        "--timeout", type=float, help="give up after N seconds (whole command; default none)"
    )
    batch.add_argument("--max-concurrent", type=int, help="renders at the provider at once")
    batch.add_argument("--daily-cap", type=float, metavar="USD", help="daily budget cap")
    batch.add_argument("--project-cap", metavar="PROJECT=USD", help="budget cap for a project")
    provider_args(batch)

    exp = sub.add_parser(
        "export",
        help="copy the approved takes, byte for byte, with sidecars, manifest and SHA256SUMS",
        epilog=_exit_codes(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    exp.add_argument("--out", type=Path, required=True, help="folder to export into")
    exp.add_argument(
        "--all", action="store_true", help="every ready take, decided or not (not only approved)"
    )
    exp.add_argument(
        "--query",
        metavar="TEXT",
        help='only takes matching this search, e.g. "project:launch fox -snow score>=5"',
    )
    exp.add_argument(
        "--name",
        default="{project}_{shot}_{take}_{decision}",
        help="file name template; fields {project} {shot} {take} {version} {decision} {model} "
        "{date} (default %(default)s)",
    )
    library_args(exp)

    imp = sub.add_parser(
        "import",
        help="bring a folder of clips (MP4/MOV/WebM, recursively) into the library for review",
        epilog=_exit_codes(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imp.add_argument("folder", type=Path, help="what to import (an export restores its reviews)")
    library_args(imp)

    notes = sub.add_parser(
        "notes",
        help="notes on the frame: export them for an editor (OTIO, Resolve EDL), a still, a list",
        epilog=_exit_codes(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    notes_sub = notes.add_subparsers(dest="notes_command", required=True)
    take = _take_number
    notes_out = notes_sub.add_parser(
        "export", help="the takes in sequence, each note a marker at its frame"
    )
    target = notes_out.add_mutually_exclusive_group(required=True)
    target.add_argument("--otio", type=Path, metavar="FILE", help="an OpenTimelineIO timeline")
    target.add_argument(
        "--edl", type=Path, metavar="FILE", help="a DaVinci Resolve marker EDL (one frame rate)"
    )
    notes_out.add_argument("takes", nargs="+", type=take, metavar="TAKE", help="12 or #12")
    library_args(notes_out)
    still = notes_sub.add_parser("still", help="one frame of a take as PNG")
    still.add_argument("take", type=take, metavar="TAKE", help="12 or #12")
    still.add_argument("--frame", type=int, required=True, help="the frame (the first is 0)")
    still.add_argument("--out", type=Path, required=True, help="the PNG to write")
    still.add_argument(
        "--with-notes", action="store_true", help="draw the notes showing on that frame"
    )
    library_args(still)
    listed = notes_sub.add_parser("list", help="each take's notes, as the editor shows them")
    listed.add_argument("takes", nargs="+", type=take, metavar="TAKE", help="12 or #12")
    library_args(listed)

    pre = sub.add_parser(
        "prescreen",
        help="flag black, frozen, flickering, blurred or silent stretches in clips, and a "
        "length, size or frame rate other than asked (exit 0 flagged or not)",
        epilog=_exit_codes(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    pre.add_argument("clips", nargs="+", type=Path, metavar="CLIP", help="video files")
    pre.add_argument(
        "--json", action="store_true", help="one JSON object, keyed by each clip's path"
    )
    pre.add_argument("--seconds", type=float, help="the length asked (flag one that differs)")
    pre.add_argument("--size", help="the WIDTHxHEIGHT asked, e.g. 1280x720")
    pre.add_argument("--fps", type=float, help="the frame rate the model makes")
    pre.add_argument(
        "--audio",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="sound was promised: flag a clip without it; --no-audio: do not check sound "
        "(default: a sound track that is there is checked for silence)",
    )
    pre.add_argument(
        "--thresholds",
        type=Path,
        metavar="FILE",
        help="thresholds file (default: resources/prescreen.toml)",
    )

    rep = sub.add_parser(
        "report",
        help="review KPIs: approval rate, cost per approved clip and second, latency …",
        epilog="Definitions: docs/metrics.md",
    )
    rep.add_argument(
        "--by",
        choices=("all", "project", "template", "model", "provider", "week"),
        default="project",
        help="one row per … (default project)",
    )
    rep.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first day (submitted)")
    rep.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day, inclusive")
    rep.add_argument("--csv", action="store_true", help="CSV instead of a table")
    rep.add_argument("--db", type=Path, help="library database (default: the platform data dir)")

    models = sub.add_parser("models", help="list the models the provider serves")
    provider_args(models)

    key = sub.add_parser("key", help="save or forget an API key (kept in the OS keyring)")
    key.add_argument("action", choices=("set", "forget", "show"))
    key.add_argument("provider", choices=("openai", "openrouter"))
    return parser


def _take_number(text: str) -> int:
    """A take as the app names it: 12 or #12."""
    digits = text.removeprefix("#")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        raise argparse.ArgumentTypeError(f"{text!r} is not a take number (like 12 or #12)")
    return int(digits)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    startup_trace.start(args.trace_startup or os.environ.get("STUDIO_TRACE_STARTUP"))
    startup_trace.mark("main")
    command = args.command or "gui"
    try:
        if command == "gui":
            return run_gui()
        if command == "generate":
            from studio.commands import generate

            return generate.run(args)
        if command == "batch":
            from studio.commands import batch

            return batch.run(args)
        if command == "export":
            from studio.commands import export

            return export.run(args)
        if command == "import":
            from studio.commands import imports

            return imports.run(args)
        if command == "notes":
            from studio.commands import notes

            return notes.run(args)
        if command == "prescreen":
            from studio.commands import prescreen

            return prescreen.run(args)
        if command == "report":
            from studio.commands import report

            return report.run(args)
        if command == "models":
            from studio.commands import models

            return models.run(args)
        from studio.commands import key

        return key.run(args)
    except StudioError as err:
        _fail(str(err))
        return err.exit_code
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130


def _fail(message: str, stream: TextIO | None = None) -> None:
    print(f"studio: error: {message}", file=stream or sys.stderr)


def run_gui() -> int:
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    ):
        print(
            "studio: no display found (DISPLAY is not set); run it on a virtual screen with "
            "'xvfb-run -a make run', or use the headless commands: 'studio generate --help'.",
            file=sys.stderr,
        )
        return 2
    from studio.ui.shell.app import main as gui_main  # Qt only when a window is wanted

    return gui_main()
