"""Latency of `kmlint server` end to end: from an edit sent by a client to the diagnostics of the edited text, on a 50 kB page.

    python benchmarks/lsp_latency.py                  # HTML and Markdown, 60 edits each
    python benchmarks/lsp_latency.py --kind html --edits 200

A real client (pygls's) starts `python -m kmlint server`, opens a generated clinic page
(benchmarks/corpus.py) and types into it: each edit inserts a word into the prose at a random
sentence end, then waits for the diagnostics of that version. The figures include the server's
debounce (kmlint.server.DEBOUNCE_SECONDS) and the JSON-RPC round trip. While each lint runs, a hover
request is sent too: its answer time shows whether the message loop waits on the lint.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

from corpus import html_page, markdown_page  # noqa: E402

from kmlint.codeunits import TextPositions  # noqa: E402
from kmlint.server import DEBOUNCE_SECONDS  # noqa: E402

WORDS = ("gentle", "guaranteed", "calm", "safe", "results", "clinic", "miracle", "care")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(kind: str, size: int, edits: int, seed: int, risk: float) -> tuple[int, int, list[float], list[float]]:
    rng = random.Random(seed)
    text = (html_page if kind == "html" else markdown_page)(rng, size, risk)
    client = LanguageClient("kmlint-lsp-latency", "1")
    published: dict[int, tuple[float, int]] = {}
    arrived = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_publish(params: types.PublishDiagnosticsParams) -> None:
        if params.version is not None:
            published[params.version] = (time.perf_counter(), len(params.diagnostics))
            arrived.set()

    async def diagnostics_of(version: int) -> tuple[float, int]:
        while version not in published:
            arrived.clear()
            await asyncio.wait_for(arrived.wait(), 60)
        return published[version]

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    await client.start_io(sys.executable, "-m", "kmlint", "server", env=env)
    capabilities = types.ClientCapabilities(general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf16]))
    await client.initialize_async(types.InitializeParams(capabilities=capabilities, root_uri=REPO.as_uri()))
    client.initialized(types.InitializedParams())
    uri = (REPO / f"benchmark-page.{'html' if kind == 'html' else 'md'}").as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, kind, 1, text)))
    _, findings = await diagnostics_of(1)
    # Sentence ends in the prose: ". " followed by a capital letter (not inside a tag or a URL).
    places = [index + 2 for index in range(len(text) - 3) if text[index : index + 2] == ". " and text[index + 2].isupper()]
    latencies: list[float] = []
    hovers: list[float] = []
    for version in range(2, edits + 2):
        offset = rng.choice(places)
        word = rng.choice(WORDS) + " "
        position = types.Position(*TextPositions(text, utf16=True).position(offset))
        change = types.TextDocumentContentChangePartial(range=types.Range(position, position), text=word)
        sent = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(types.VersionedTextDocumentIdentifier(version, uri), [change]))
        text = text[:offset] + word + text[offset:]
        places = [place + len(word) if place > offset else place for place in places]
        # While the lint runs (after the debounce), the loop still answers requests.
        await asyncio.sleep(DEBOUNCE_SECONDS + 0.005)
        asked = time.perf_counter()
        await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), position))
        hovers.append(time.perf_counter() - asked)
        received, _ = await diagnostics_of(version)
        latencies.append(received - sent)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return len(text.encode("utf-8")), findings, latencies, hovers


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--kind", choices=("html", "markdown", "both"), default="both")
    parser.add_argument("--size", type=int, default=50_000, help="page size in bytes [default: 50000]")
    parser.add_argument("--edits", type=int, default=60, help="edits per page [default: 60]")
    parser.add_argument("--risk", type=float, default=0.03, help="share of risky sentences (see corpus.py) [default: 0.03]")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    kinds = ("html", "markdown") if args.kind == "both" else (args.kind,)
    print(f"edit -> diagnostics, end to end through `kmlint server` (includes the {DEBOUNCE_SECONDS * 1000:.0f} ms debounce)")
    for kind in kinds:
        size, findings, latencies, hovers = asyncio.run(measure(kind, args.size, args.edits, args.seed, args.risk))
        ms = [value * 1000 for value in latencies]
        hover_ms = [value * 1000 for value in hovers]
        print(
            f"{kind:8} {size / 1000:.0f} kB, {findings} findings, {len(ms)} edits: "
            f"median {statistics.median(ms):.0f} ms, p95 {percentile(ms, 0.95):.0f} ms; "
            f"a hover during the lint: median {statistics.median(hover_ms):.1f} ms, p95 {percentile(hover_ms, 0.95):.1f} ms"
        )


if __name__ == "__main__":
    main()
