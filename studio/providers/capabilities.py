"""What a kind of provider is documented to do when a create's reply is lost: whether it
honours `Idempotency-Key`, and whether a lost job can be looked up. Data, in
`resources/providers/capabilities.toml`; the engine's unsure-create path reads it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from studio.core.errors import ConfigError
from studio.core.resources import read_toml, resources_dir

Lookup = Literal["list", "none"]
LOOKUPS: tuple[Lookup, ...] = ("list", "none")


@dataclass(frozen=True)
class Capabilities:
    idempotency_key: bool = False  # a repeated key returns the job already made
    lookup: Lookup = "none"  # how a job whose create reply was lost can be found


def parse(kind: str, table: object, source: Path) -> Capabilities:
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [{kind}] must be a table")
    unknown = set(table) - {"idempotency_key", "lookup"}
    if unknown:
        raise ConfigError(f"{source}: [{kind}] has unknown field(s) {', '.join(sorted(unknown))}")
    key = table.get("idempotency_key", False)
    if not isinstance(key, bool):
        raise ConfigError(f"{source}: [{kind}] idempotency_key must be true or false")
    lookup = table.get("lookup", "none")
    if lookup not in LOOKUPS:
        raise ConfigError(f"{source}: [{kind}] lookup must be one of {', '.join(LOOKUPS)}")
    return Capabilities(key, lookup)


@cache
def load(path: Path | None = None) -> dict[str, Capabilities]:
    source = path or resources_dir() / "providers" / "capabilities.toml"
    return {kind: parse(kind, table, source) for kind, table in read_toml(source).items()}


def for_kind(kind: str) -> Capabilities:
    """A kind's capabilities; one the file does not name gets the safe defaults."""
    return load().get(kind, Capabilities())
