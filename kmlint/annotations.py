"""Annotation files (`kmlint eval`): claims marked on pages, read safely, validated against the shipped schema, resolved to source spans."""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import yaml

from kmlint.discover import Target, discover
from kmlint.errors import AnnotationError, RuleError, SourceError
from kmlint.fsutil import Unreadable, read_regular
from kmlint.ruleset import DOCUMENT_CATEGORIES, BoundedLoader, load_yaml, node_position, schema_message
from kmlint.schemas import validator
from kmlint.source import SourceFile, read_source

if TYPE_CHECKING:
    pass

ANNOTATION_SUFFIXES = (".yaml", ".yml")
# Shown in error messages: a quote is the words, shortened past this many characters.
_SHOWN_QUOTE = 60


@dataclass(frozen=True, slots=True)
class Span:
    """One annotated claim: its source offsets on the page (end exclusive) and where it is written."""

    start: int
    end: int
    category: str
    level: str  # must: a finding is expected (recall); may: a finding is not wrong
    quote: str
    origin: str  # "annotations/x.yaml:12", the span's place in its annotation file


@dataclass(frozen=True, slots=True)
class PageAnnotation:
    """One page and what its annotation file says about it."""

    target: Target
    source: SourceFile
    spans: tuple[Span, ...]
    doc: Mapping[str, str]  # every document category -> must, no or may
    origin: str  # the annotation file


@dataclass(frozen=True, slots=True)
class Annotations:
    """The annotated pages, in annotation-file order, and the pages found that no file annotates (not scored)."""

    pages: tuple[PageAnnotation, ...]
    unannotated: tuple[str, ...]


# An annotation file marks the claims of one page (of at most 16 MiB): a few hundred spans at most.
MAX_ANNOTATION_BYTES = 4 * 1024 * 1024


class _AnnotationLoader(BoundedLoader):
    """YAML 1.2 booleans (true and false only): a plain `no`, the document level, stays the word no."""


_AnnotationLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_AnnotationLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))

def find_pages(paths: Sequence[str]) -> dict[str, list[Target]]:
    """The pages under `paths`, by the name an annotation file gives them: the path relative to a
    folder named on the command line (with `/`), or the file name of a file named there."""
    pages: dict[str, list[Target]] = {}
    for path in paths:
        found = 0
        folder = os.path.isdir(path)
        for target in discover([path]):
            if target.problem:
                raise AnnotationError(target.problem, target.path)
            if folder:
                name = os.path.relpath(target.path, path).replace(os.sep, "/")
            else:
                name = os.path.basename(path)
            pages.setdefault(name, []).append(target)
            found += 1
        if not found:
            raise AnnotationError("no pages in this folder (.html, .htm, .xhtml, .md, .markdown or .txt files)", path)
    return pages


def load_annotations(folder: str, pages: Mapping[str, list[Target]]) -> Annotations:
    """Every annotation file in `folder` (*.yaml, *.yml; not recursive), each resolved against its page."""
    if not os.path.isdir(folder):
        raise AnnotationError("not an annotations folder" if os.path.exists(folder) else "no such annotations folder", folder)
    try:
        files = sorted(p for p in Path(folder).iterdir() if p.suffix in ANNOTATION_SUFFIXES and p.is_file())
    except OSError as error:
        raise AnnotationError(f"cannot list annotations folder ({error.strerror or error})", folder) from None
    if not files:
        raise AnnotationError("no annotation files (*.yaml, *.yml) in this folder", folder)
    annotated: dict[str, PageAnnotation] = {}
    for file in files:
        page_name, (line, column), annotation = load_annotation_file(str(file), pages)
        if page_name in annotated:
            raise AnnotationError(f"page {page_name!r} is annotated twice (also in {annotated[page_name].origin})", str(file), line, column)
        annotated[page_name] = annotation
    unannotated = tuple(target.path for name, targets in sorted(pages.items()) if name not in annotated for target in targets)
    return Annotations(tuple(annotated.values()), unannotated)


def load_annotation_file(path: str, pages: Mapping[str, list[Target]]) -> tuple[str, tuple[int | None, int | None], PageAnnotation]:
    """One annotation file, validated and resolved: the page's name, where it is named, the annotation."""
    data, root = _read(path)
    page_at = node_position(root, ("page",))
    name = posixpath.normpath(data["page"].replace("\\", "/"))
    targets = pages.get(name, [])
    if not targets:
        raise AnnotationError(f"page {data['page']!r} is not among the pages given (a page is named by its path under a PAGES folder)", path, *page_at)
    if len(targets) > 1:
        raise AnnotationError(f"page {data['page']!r} names more than one page: {targets[0].path} and {targets[1].path}", path, *page_at)
    target = targets[0]
    try:
        source = read_source(target.path, target.kind)
    except SourceError as error:
        raise AnnotationError(f"page {target.path}: {error.message}", path, *page_at) from None
    spans: list[Span] = []
    first_at: dict[tuple[int, int], int] = {}
    for index, raw in enumerate(data.get("spans") or ()):
        line, column = node_position(root, ("spans", index))
        start = _locate(raw["quote"], raw.get("occurrence", 1), source, root, ("spans", index), path)
        end = start + len(raw["quote"])
        if (start, end) in first_at:
            raise AnnotationError(f"duplicate span: the same words as the span at line {first_at[start, end]}", path, line, column)
        first_at[start, end] = line or 0
        spans.append(Span(start, end, raw["category"], raw["level"], raw["quote"], f"{path}:{line}"))
    doc = {category: (data.get("doc") or {}).get(category, "no") for category in DOCUMENT_CATEGORIES}
    return name, page_at, PageAnnotation(target, source, tuple(spans), doc, path)


def _read(path: str) -> tuple[dict[str, Any], yaml.Node | None]:
    try:
        text = read_regular(path, MAX_ANNOTATION_BYTES).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AnnotationError("annotation file is not UTF-8 text", path) from None
    except Unreadable as error:
        raise AnnotationError(error.describe("annotation file"), path) from None
    try:
        data, root = load_yaml(text, path, loader_class=_AnnotationLoader)
    except RuleError as error:  # the YAML reader is shared with rule files
        raise AnnotationError(error.message, error.path, error.line, error.column) from None
    errors = list(validator("annotations.schema.json").iter_errors(data))
    if errors:
        from jsonschema.exceptions import best_match

        worst = best_match(errors)
        line, column = node_position(root, worst.absolute_path)
        raise AnnotationError(schema_message(worst).removeprefix("file: "), path, line, column)
    return data, root


def _locate(quote: str, occurrence: int, source: SourceFile, root: yaml.Node | None, at: tuple[Any, ...], path: str) -> int:
    """The source offset of the `occurrence`-th appearance of `quote` (appearances may overlap, as
    in the reference scorer), or an error at the quote or occurrence line."""
    found = -1
    for seen in range(occurrence):
        found = source.text.find(quote, found + 1)
        if found < 0:
            if seen == 0:
                line, column = node_position(root, (*at, "quote"))
                raise AnnotationError(_not_found(quote, source), path, line, column)
            line, column = node_position(root, (*at, "occurrence"))
            raise AnnotationError(f"occurrence {occurrence} of {_shown(quote)}, but {source.path} has it {_times(seen)}", path, line, column)
    return found


def _not_found(quote: str, source: SourceFile) -> str:
    """Why a quote is not in the page's source, as far as it can be told."""
    words = " ".join(quote.split())
    if words in " ".join(source.text.split()):
        return f"quote {_shown(quote)} is not in {source.path} as written: the page has these words with other spaces or line breaks"
    if source.kind != "text":
        from kmlint.extract import extract

        if words in extract(source).text:
            markup = "a tag" if source.kind == "html" else "markup (a tag, emphasis, a link)"
            return (
                f"quote {_shown(quote)} is in the text of {source.path} but not in its source: a quote is copied from the source "
                f"and must not cross {markup}; write entities as the source does (&amp;)"
            )
    return f"quote {_shown(quote)} not found in {source.path}"


def _shown(quote: str) -> str:
    words = " ".join(quote.split())
    return repr(words if len(words) <= _SHOWN_QUOTE else words[: _SHOWN_QUOTE - 1] + "…")


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"
