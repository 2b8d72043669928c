"""Extraction: a SourceFile becomes a Document; one extractor per kind of file, in a plain registry."""

from __future__ import annotations

from typing import Callable

from kmlint.document import Document
from kmlint.extract.html import extract_html
from kmlint.extract.markdown import extract_markdown
from kmlint.extract.text import extract_text
from kmlint.source import SourceFile

EXTRACTORS: dict[str, Callable[[str], Document]] = {
    "html": extract_html,
    "markdown": extract_markdown,
    "text": extract_text,
}


def extract(source: SourceFile) -> Document:
    return EXTRACTORS[source.kind](source.text)
