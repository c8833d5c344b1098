"""`studio prescreen CLIP... [--json]`: the app's machine pre-screen on any clips, with
no library. Each clip's flags are listed with their time codes (`--json`: one object keyed
by each clip's path). What was asked (`--seconds`, `--size`, `--fps`, `--audio`) is
optional: a check with nothing to compare against is not run.

Exits 0 whether or not anything was flagged (a clip that does not decode is flagged
`undecodable`); 2 when a file cannot be read at all (missing, a folder, no permission), after
screening the others."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from studio.core.flags import Screening
from studio.export.walk import shown
from studio.media.prescreen.expected import Expected
from studio.media.prescreen.screen import screen
from studio.media.prescreen.thresholds import load_thresholds
from studio.providers.profiles import parse_size


def run(args: argparse.Namespace) -> int:
    thresholds = load_thresholds(args.thresholds)
    width, height = parse_size(args.size) if args.size else (None, None)
    expected = Expected(args.seconds, width, height, args.fps, args.audio)
    results: dict[str, dict[str, Any]] = {}
    unreadable = False
    for clip in args.clips:
        name = shown(clip)
        try:
            found = screen(clip, expected, thresholds)
        except OSError as err:
            unreadable = True
            why = f"cannot be read ({err.strerror or err})"
            print(f"studio: {name} {why}", file=sys.stderr)
            results[name] = {"error": why}
            continue
        results[name] = _as_json(found)
        if not args.json:
            print(_lines(name, found))
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    return 2 if unreadable else 0


def _as_json(found: Screening) -> dict[str, Any]:
    data = found.as_json()
    for flag, shown_flag in zip(found.flags, data["flags"], strict=True):
        shown_flag["start_timecode"], shown_flag["end_timecode"] = flag.timecodes(found.fps)
    return data


def _lines(name: str, found: Screening) -> str:
    if not found.flags:
        return f"{name}: no flags"
    count = len(found.flags)
    lines = [f"{name}: {count} flag{'s' if count > 1 else ''}"]
    lines += [f"  {flag.check:<11}  {flag.span(found.fps)}  {flag.detail}" for flag in found.flags]
    return "\n".join(lines)
