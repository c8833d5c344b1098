"""`studio` command line: the window by default, and headless commands that share its core."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path
from typing import TextIO

from studio import __version__, secrets
from studio.batch import ProviderRefused, build_spec, run_batch
from studio.connect import Connection, open_provider
from studio.errors import StudioError
from studio.generate import RenderFailed, render_to_file
from studio.images import check_image
from studio.jobs import Engine, EngineConfig
from studio.kinds import KINDS
from studio.providers.errors import ProviderError
from studio.providers.types import RemoteJob
from studio.sim.state import SimConfig
from studio.store import Store

EXIT_FAILED_RENDER = 1
EXIT_BAD_INPUT = 2
EXIT_PROVIDER = 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="studio", description="Studio: a review studio for AI-generated video."
    )
    parser.add_argument("--version", action="version", version=f"studio {__version__}")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("gui", help="open the studio window (the default)")

    def provider_args(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--provider",
            choices=KINDS,
            default="sim",
            help="sim (built-in simulator, default), openai (OpenAI-shape URL), openrouter",
        )
        p.add_argument("--base-url", help="API base URL, e.g. https://gateway.example.com/v1")
        p.add_argument("--rpm", type=int, help="requests per minute allowed by the provider")

    gen = sub.add_parser("generate", help="render one clip and save it")
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
    gen.add_argument("--out", type=Path, default=Path("clip.mp4"), help="where to save the MP4")
    gen.add_argument("--timeout", type=float, default=3600.0, help="give up after N seconds")
    gen.add_argument(
        "--sim-render-seconds",
        type=float,
        default=6.0,
        help="render time of the built-in simulator (default 6)",
    )
    provider_args(gen)

    batch = sub.add_parser(
        "batch", help="queue every line of a JSONL file and run them to the end (resumable)"
    )
    batch.add_argument(
        "file",
        type=Path,
        help='one JSON spec per line, e.g. {"prompt": "...", "model": "sim-fast", "seconds": 4}',
    )
    batch.add_argument("--db", type=Path, help="library database (default: the platform data dir)")
    batch.add_argument("--library", type=Path, help="folder for clips (default: beside the db)")
    batch.add_argument("--max-concurrent", type=int, help="renders at the provider at once")
    batch.add_argument("--daily-cap", type=float, metavar="USD", help="daily budget cap")
    batch.add_argument("--project-cap", metavar="PROJECT=USD", help="budget cap for a project")
    batch.add_argument(
        "--sim-render-seconds",
        type=float,
        default=6.0,
        help="render time of the built-in simulator (default 6)",
    )
    provider_args(batch)

    models = sub.add_parser("models", help="list models and what they allow")
    provider_args(models)

    key = sub.add_parser("key", help="save or forget an API key (kept in the OS keyring)")
    key.add_argument("action", choices=("set", "forget", "show"))
    key.add_argument("provider", choices=("openai", "openrouter"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "gui"
    try:
        if command == "gui":
            return run_gui()
        if command == "generate":
            return asyncio.run(_generate(args))
        if command == "models":
            return asyncio.run(_models(args))
        if command == "batch":
            return asyncio.run(_batch(args))
        return _key(args)
    except RenderFailed as err:
        _fail(str(err))
        return EXIT_FAILED_RENDER
    except ProviderRefused as err:
        _fail(str(err))
        return err.exit_code
    except ProviderError as err:
        _fail(str(err))
        return EXIT_PROVIDER
    except StudioError as err:
        _fail(str(err))
        return EXIT_BAD_INPUT
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
        return EXIT_BAD_INPUT
    from studio.ui.app import main as gui_main  # Qt only when a window is wanted

    return gui_main()


def _connect(args: argparse.Namespace) -> Connection:
    sim_config = SimConfig(render_seconds=getattr(args, "sim_render_seconds", 6.0))
    return open_provider(args.provider, base_url=args.base_url, rpm=args.rpm, sim_config=sim_config)


async def _generate(args: argparse.Namespace) -> int:
    if not args.prompt.strip():
        raise StudioError("The prompt is empty: describe at least a subject and an action.")
    if args.image:
        check_image(args.image)  # before anything starts
    connection = _connect(args)
    try:
        profiles = await connection.provider.models()
        spec = build_spec(vars(args), profiles, Path.cwd())
        profile = profiles.get(spec.model)
        cost = profile.estimate_cost(spec)
        frame = spec.size or f"{spec.resolution} {spec.aspect_ratio}"
        estimate = f" — estimated cost ${cost:.2f}" if cost is not None else ""
        print(
            f"Rendering {spec.seconds} s at {frame} on {profile.id} via "
            f"{connection.description}{estimate}",
            file=sys.stderr,
        )
        progress = _Progress(sys.stderr)
        job = await render_to_file(
            connection.provider,
            spec,
            args.out,
            on_update=progress.update,
            give_up_after=args.timeout,
        )
        progress.done(job)
    finally:
        await connection.aclose()
    print(args.out.resolve())
    return 0


class _Progress:
    """A one-line progress bar on a terminal; sparse lines otherwise (logs, CI)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last: tuple[str, int] | None = None

    def update(self, job: RemoteJob, elapsed: float) -> None:
        pct = job.progress if job.progress is not None else 0
        state = job.status.value
        if self.tty:
            bar = "#" * (pct // 5) + "." * (20 - pct // 5)
            self.stream.write(f"\r[{bar}] {pct:3d}%  {state:<10} {elapsed:5.0f}s  {job.id}")
            self.stream.flush()
            return
        step = (state, pct // 25)
        if step != self.last:
            self.stream.write(f"{job.id}: {state} {pct}% after {elapsed:.0f}s\n")
            self.last = step

    def done(self, job: RemoteJob) -> None:
        if self.tty:
            self.stream.write("\n")
        cost = f", cost ${job.cost:.2f}" if job.cost is not None else ""
        self.stream.write(f"{job.id}: downloaded{cost}\n")


async def _batch(args: argparse.Namespace) -> int:
    store = Store(args.db)  # StoreError (damaged, locked, newer) is a clear one-liner
    library = args.library or store.db.path.parent / "library"
    if args.daily_cap is not None:
        store.budgets.set_cap("daily", "*", args.daily_cap)
    if args.project_cap:
        name, _, amount = args.project_cap.partition("=")
        try:
            store.budgets.set_cap("project", name, float(amount))
        except ValueError:
            raise StudioError("--project-cap takes PROJECT=USD, e.g. launch=25") from None
    connection = open_provider(
        args.provider,
        base_url=args.base_url,
        rpm=args.rpm,
        sim_config=SimConfig(render_seconds=args.sim_render_seconds),
        sim_state=store.db.path.parent / "simulator" / "state.json",
    )
    config = EngineConfig(max_concurrent=args.max_concurrent or connection.max_concurrent)
    engine = Engine(
        store, connection.provider, provider_key=connection.key, library=library, config=config
    )
    try:
        result = await run_batch(engine, args.file)
    finally:
        await engine.stop()
        await connection.aclose()
        store.close()
    print(f"{result.ready} of {len(result.jobs)} ready in {library}")
    if result.ready < len(result.jobs):
        return EXIT_FAILED_RENDER
    return EXIT_BAD_INPUT if result.refused else 0


async def _models(args: argparse.Namespace) -> int:
    connection = _connect(args)
    try:
        for p in await connection.provider.models():
            frames = ", ".join(p.sizes) or (
                f"{'/'.join(p.resolutions)} at {'/'.join(p.aspect_ratios)}"
            )
            prices = ", ".join(f"{k} ${v:.2f}/s" for k, v in p.price_per_second.items())
            print(f"{p.id:<16} {'/'.join(map(str, p.durations))} s  {frames}  [{prices}]")
    finally:
        await connection.aclose()
    return 0


def _key(args: argparse.Namespace) -> int:
    if args.action == "forget":
        secrets.forget(args.provider)
        print(f"Forgot the {args.provider} key.")
        return 0
    if args.action == "show":
        key = secrets.lookup(args.provider)
        print(secrets.mask(key) if key else f"No {args.provider} key is set.")
        return 0
    key = sys.stdin.readline() if not sys.stdin.isatty() else getpass.getpass("API key: ")
    secrets.store(args.provider, key)
    print(f"Saved the {args.provider} key in the OS keyring ({secrets.mask(key.strip())}).")
    return 0
