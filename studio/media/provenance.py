"""Does a clip carry C2PA provenance? Read with the maintained `c2pa-python` package
(`Reader`) when a clip is downloaded or imported, kept in the library, shown beside the
player and written into the export sidecar. Reading never changes the file.

    none     no manifest in the file
    present  a manifest: claim generator, signer, actions, validation state and codes
    damaged  a manifest is there but cannot be read

What a signature proves is said in words (`signature`), from c2pa's validation state and
status codes: *signer trusted* only when c2pa says `Trusted` (the signing credential is on
the trust list it was given); *signed, signer not trusted* for `Valid` (the signature and
hashes check out, but trust was not established — c2pa reports
`signingCredential.untrusted` when the signer is not on its list); *invalid* with the
failure codes otherwise.

What is kept is bounded: a manifest may carry any number of actions and any text, so every
string has its control characters escaped (`\\u001b`, visible, never acted on by a terminal
or a label) and is cut at MAX_TEXT_CHARS, and the whole record is at most
MAX_STORED_BYTES of JSON — lists are cut to fit, and `cut` says what was left out (the clip
itself keeps its manifest whole).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from studio.store import Store, Transaction

MIME = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime"}
MAX_STORED_BYTES = 16 * 1024  # one clip's provenance as stored and written to its sidecar
MAX_TEXT_CHARS = 300  # one string in it (a signer, a claim generator, an action, a problem)
UNTRUSTED = "signingCredential.untrusted"
# C0 and C1 controls, DEL, the line and paragraph separators, and the bidirectional
# overrides and isolates that make text display as something else.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Lists cut to fit, in this order: the codes first, as they say what the signature proves.
_CUT_LISTS = ("validation_status", "actions")


def read(path: Path, *, trust_anchors: str | None = None) -> dict[str, Any]:
    """The clip's provenance as the sidecar records it (see the module docstring), bounded.
    `trust_anchors` (PEM) are the signers' roots to trust; c2pa's defaults when None."""
    import c2pa  # loaded when a clip is checked, not at start-up

    try:
        context = (
            c2pa.Context.from_dict(
                {"trust": {"trust_anchors": trust_anchors}, "verify": {"verify_trust": True}}
            )
            if trust_anchors is not None
            else None
        )
        with c2pa.Reader(str(path), context=context) as reader:
            state = str(reader.get_validation_state())
            data = json.loads(reader.json())
    except c2pa.C2paError as err:
        if "ManifestNotFound" in type(err).__name__ or "no JUMBF" in str(err):
            return {"c2pa": "none"}
        return bounded({"c2pa": "damaged", "problem": str(err)})
    manifest = data.get("manifests", {}).get(data.get("active_manifest") or "", {})
    generator = manifest.get("claim_generator") or ", ".join(
        f"{g.get('name', '')} {g.get('version', '')}".strip()
        for g in manifest.get("claim_generator_info") or []
    )
    signature = manifest.get("signature_info") or {}
    actions = [
        str(action.get("action"))
        for assertion in manifest.get("assertions") or []
        if str(assertion.get("label", "")).startswith("c2pa.actions")
        for action in (assertion.get("data") or {}).get("actions") or []
    ]
    return bounded(
        {
            "c2pa": "present",
            "claim_generator": generator or None,
            "signer": signature.get("issuer") or signature.get("common_name"),
            "actions": actions,
            "validation_state": state,
            "validation_status": [s.get("code") for s in data.get("validation_status") or []],
        }
    )


def bounded(provenance: dict[str, Any]) -> dict[str, Any]:
    """`provenance` with control characters escaped, strings cut at MAX_TEXT_CHARS, and
    its lists cut so that its JSON fits MAX_STORED_BYTES (`cut` says what was left out)."""
    out: dict[str, Any] = {str(k): _clean(v) for k, v in provenance.items()}
    if _size(out) <= MAX_STORED_BYTES:
        return out
    lists = {k: out[k] for k in _CUT_LISTS if isinstance(out.get(k), list)}
    for key, items in lists.items():  # measured empty, with room for the totals and note
        out[key], out[f"{key}_total"] = [], len(items)
    out["cut"] = "x" * 200
    cuts = []
    for key, items in lists.items():
        room, keep = MAX_STORED_BYTES - _size(out), 0
        for item in items:
            room -= _size(item) + 2  # and the ", " between items
            if room < 0:
                break
            keep += 1
        out[key] = items[:keep]
        if keep == len(items):
            del out[f"{key}_total"]
        else:
            cuts.append(f"kept {keep} of {len(items)} {key.replace('_', ' ')}")
    out["cut"] = (
        "; ".join(cuts or ["kept what fits"])
        + f" (stored provenance is limited to {MAX_STORED_BYTES} bytes; the clip's own "
        "manifest is whole)"
    )
    if _size(out) > MAX_STORED_BYTES:  # not our shape: keep what says what it is
        out = {k: out[k] for k in ("c2pa", "validation_state") if k in out}
        out["cut"] = (
            f"kept only its state (stored provenance is limited to {MAX_STORED_BYTES} bytes)"
        )
    return out


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return escape(value)[:MAX_TEXT_CHARS]
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {escape(str(k))[:MAX_TEXT_CHARS]: _clean(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float):
        return value
    return escape(str(value))[:MAX_TEXT_CHARS]


def escape(text: str) -> str:
    """Control characters (see _CONTROL) as visible `\\uXXXX`, the rest as it is."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def _size(value: Any) -> int:
    """Bytes of `value` as stored (JSON, non-ASCII escaped: the larger form)."""
    return len(json.dumps(value))


def signature(provenance: dict[str, Any]) -> str:
    """What a present manifest's signature proves, in words (see the module docstring)."""
    state = str(provenance.get("validation_state") or "")
    codes = [str(c) for c in provenance.get("validation_status") or [] if c]
    failures = [c for c in codes if c != UNTRUSTED]
    if state == "Invalid" or failures:
        changed = any(c.endswith(".mismatch") for c in failures)
        why = "content changed since it was signed" if changed else ", ".join(failures)
        return f"invalid ({why or 'no reason given'})"
    if state == "Trusted":
        return "signed, signer trusted"
    if state == "Valid" or UNTRUSTED in codes:
        return "signed, signer not trusted"
    return f"signed, state {state or 'unknown'}"


def record(store: Store, tx: Transaction, job_id: int, provenance: dict[str, Any]) -> None:
    kept = bounded(provenance)
    store.provenance.save(tx, job_id, kept["c2pa"], json.dumps(kept))


def recorded(store: Store, job_id: int) -> dict[str, Any] | None:
    text = store.provenance.detail_json(job_id)
    return bounded(json.loads(text)) if text else None  # rows kept before the bound too


SHOWN_ACTIONS = 8  # actions named in the one-line summary


def summary(provenance: dict[str, Any] | None) -> str:
    """One line for the review: what a reviewer needs to know at a glance."""
    if provenance is None:
        return "Provenance: not read yet"
    state = provenance["c2pa"]
    if state == "none":
        return "Provenance: no C2PA manifest"
    if state == "damaged":
        return "Provenance: C2PA manifest damaged — " + str(provenance.get("problem", ""))
    who = provenance.get("signer") or "unknown signer"
    actions = [str(a).removeprefix("c2pa.") for a in provenance.get("actions") or []]
    total = provenance.get("actions_total") or len(actions)
    what = ", ".join(actions[:SHOWN_ACTIONS]) or "—"
    if total > min(len(actions), SHOWN_ACTIONS):
        what += f" … ({total} in all)"
    return (
        f"Provenance: C2PA {signature(provenance)} — {who} "
        f"({provenance.get('claim_generator') or 'unknown tool'}); actions: {what}"
    )
