"""The naive baseline: html.parser for HTML (raw text for Markdown) and one case-insensitive `re`
alternation of the rule phrases; prints `path: phrase` per match.

    python benchmarks/naive.py PATTERNS_FILE FOLDER

PATTERNS_FILE holds one regular expression per line: the rule pack's phrase templates.

This is what a first attempt at a claim linter looks like, and the floor kmlint is measured against.
"""

from __future__ import annotations

import os
import re
import sys
from html.parser import HTMLParser


class TextOfPage(HTMLParser):
    """Collects text nodes, leaving out scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("script", "style"):
            self._skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def page_text(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    if path.endswith((".html", ".htm")):
        parser = TextOfPage()
        parser.feed(text)
        parser.close()
        return " ".join(parser.parts)
    return text


def main(patterns_file: str, folder: str) -> None:
    with open(patterns_file, encoding="utf-8") as handle:
        phrases = [line.rstrip("\n") for line in handle if line.strip()]
    pattern = re.compile("|".join(sorted(phrases, key=len, reverse=True)), re.IGNORECASE)
    write = sys.stdout.write
    for root, folders, files in os.walk(folder):
        folders.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            for match in pattern.finditer(page_text(path)):
                write(f"{path}: {match.group()}\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
