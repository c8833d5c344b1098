"""`studio key set|forget|show`: API keys, in the OS keyring only."""

from __future__ import annotations

import argparse
import getpass
import sys

from studio.config import secrets


def run(args: argparse.Namespace) -> int:
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
