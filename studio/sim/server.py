"""Run the simulator: in a background thread (tests, the app, the CLI) or as `studio-sim`."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import uvicorn

from studio.sim.app import build_app
from studio.sim.catalog import DEFAULT_API_KEY, MODELS
from studio.sim.faults import FaultPlan
from studio.sim.state import SimConfig, SimState


class _DeliberateResets(logging.Filter):
    """Injected resets end a response on purpose; uvicorn would log each as an error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("ASGI callable returned without")


logging.getLogger("uvicorn.error").addFilter(_DeliberateResets())


class SimServer:
    """A simulator on 127.0.0.1 (port 0: whatever the OS gives, known once started), served
    from a daemon thread. The socket is bound by `start` and closed by `stop`."""

    def __init__(
        self,
        config: SimConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        state_file: Path | None = None,
    ) -> None:
        self.state = SimState(config, state_file=state_file)
        self.plan = FaultPlan(self.state.config.seed)
        self.host = host
        self.port = port
        self._sock: socket.socket | None = None
        config_ = uvicorn.Config(
            build_app(self.state, self.plan),
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config_)
        self._thread: threading.Thread | None = None

    def bind(self) -> None:
        """Take the port (raises OSError when it cannot be had)."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        self._sock = sock
        self.port = sock.getsockname()[1]

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        return self.url + "/v1"

    @property
    def openrouter_base_url(self) -> str:
        return self.url + "/api/v1"

    api_key = DEFAULT_API_KEY

    def start(self, timeout: float = 10.0) -> SimServer:
        if self._sock is None:
            self.bind()
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True, name="sim"
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the simulator did not start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self.state.close()

    def control(self, method: str, path: str, payload: Any = None) -> Any:
        """Call the control API (`/_sim/...`) synchronously; for tests and benchmarks."""
        with httpx.Client(base_url=self.url, timeout=10) as client:
            response = client.request(method, "/_sim/" + path.lstrip("/"), json=payload)
            response.raise_for_status()
            return response.json()

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def spawn(*args: str, timeout: float = 20.0, **popen: Any) -> tuple[subprocess.Popen[Any], str]:
    """Start `studio-sim` in its own process, as a real provider would be, on a port the OS
    gives it (it writes its URL to a file once it listens); returns the process and URL."""
    with tempfile.TemporaryDirectory(prefix="studio-sim-") as folder:
        ready = Path(folder) / "url"
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "studio.sim.server",
                "--port",
                "0",
                "--ready-file",
                str(ready),
                *args,
            ],
            **popen,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None:
            if ready.exists() and (url := ready.read_text(encoding="utf-8").strip()):
                return proc, url
            time.sleep(0.02)
    proc.kill()
    proc.wait()
    raise RuntimeError(f"studio-sim did not start within {timeout:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="studio-sim",
        description="Studio's simulator of the OpenAI-shape and OpenRouter video APIs.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--port", type=int, default=8790, help="port (0 = any free port)")
    parser.add_argument(
        "--render-seconds",
        type=float,
        default=20.0,
        help="simulated render time per job (default 20)",
    )
    parser.add_argument(
        "--render-range",
        type=float,
        nargs=2,
        metavar=("MIN", "MAX"),
        help="draw each job's render time uniformly from MIN..MAX seconds",
    )
    parser.add_argument(
        "--expiry-seconds",
        type=float,
        default=3600.0,
        help="how long finished content can be downloaded (default 3600)",
    )
    parser.add_argument(
        "--state-file", type=Path, help="keep jobs in this JSON file so a restart still knows them"
    )
    parser.add_argument(
        "--honour-idempotency",
        action="store_true",
        help="return the existing job for a repeated Idempotency-Key",
    )
    parser.add_argument(
        "--no-list",
        action="store_true",
        help="answer 404 to GET /v1/videos, as a gateway without the list endpoint does",
    )
    parser.add_argument(
        "--ready-file", type=Path, help="write the URL to this file once listening (for tools)"
    )
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        help=f"accepted bearer token (default {DEFAULT_API_KEY}); repeatable",
    )
    parser.add_argument("--seed", type=int, help="seed for render times and probabilistic faults")
    args = parser.parse_args(argv)

    config = SimConfig(
        render_seconds=args.render_seconds,
        render_range=tuple(args.render_range) if args.render_range else None,
        expiry_seconds=args.expiry_seconds,
        honour_idempotency=args.honour_idempotency,
        list_endpoint=not args.no_list,
        api_keys=args.api_keys or [DEFAULT_API_KEY],
        seed=args.seed,
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    server = SimServer(config, host=args.host, port=args.port, state_file=args.state_file)
    try:
        server.bind()
    except OSError as err:
        print(
            f"studio-sim: cannot listen on {args.host}:{args.port}: {err.strerror}", file=sys.stderr
        )
        return 2
    if not _is_loopback(args.host):
        default = " with the default key anyone can read in the README" if not args.api_keys else ""
        print(
            f"studio-sim: WARNING: listening on {args.host}, beyond this machine: the video API"
            f" is open to the network{default}. The control API still answers loopback only.",
            file=sys.stderr,
        )
    print(f"Studio simulator on {server.url}")
    print(f"  OpenAI shape:     {server.openai_base_url}")
    print(f"  OpenRouter shape: {server.openrouter_base_url}")
    print(f"  API key:          {config.api_keys[0]}")
    print(f"  models:           {', '.join(MODELS)}")
    print("  control:          /_sim/stats, /_sim/faults, /_sim/config (loopback only)", flush=True)
    server.start()
    if args.ready_file is not None:
        part = args.ready_file.with_name(args.ready_file.name + ".part")
        part.write_text(server.url, encoding="utf-8")
        os.replace(part, args.ready_file)
    try:
        while server._thread is not None and server._thread.is_alive():
            server._thread.join(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
