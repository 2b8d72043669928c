"""The language server (`kmlint server`): findings as diagnostics, hovers and code actions for open documents, over stdio (pygls)."""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generator, Mapping, Sequence

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.uris import to_fs_path

from kmlint import __version__
from kmlint.baseline import Baseline
from kmlint.codeunits import TextPositions, apply_change
from kmlint.config import CONFIG_NAMES, PYPROJECT, Config, find_config, load_config, resolve
from kmlint.document import Document
from kmlint.engine import Linter
from kmlint.errors import KmlintError
from kmlint.findings import Diagnostic, FileResult, Finding
from kmlint.fix import safe_edits
from kmlint.reporters.sarif import help_uri, markdown_references, markdown_text
from kmlint.ruledocs import anchor
from kmlint.ruleset import Rule, rule_files
from kmlint.source import MAX_FILE_BYTES, SourceFile, kind_for
from kmlint.suppress import disable_next_line

logger = logging.getLogger(__name__)

# Quiet time after an edit before the document is linted again: typing runs at a key every 100 to
# 200 ms, so a pause this long means the writer has stopped, and the lint then takes tens of ms.
DEBOUNCE_SECONDS = 0.1
# Editors' language ids for the kinds kmlint reads, for documents whose name does not say (untitled).
LANGUAGE_KINDS = {"html": "html", "markdown": "markdown", "plaintext": "text", "text": "text"}  # "text": Neovim's filetype
SEVERITIES = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning, "info": types.DiagnosticSeverity.Information}
FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.kmlint"
SUPPRESSION_REASON = "reason"
# Files whose change can change the rules: config files and rule files (YAML), wherever they are.
WATCHED_GLOBS = ("**/*.{yaml,yml}", f"**/{PYPROJECT}")


@dataclass(frozen=True, slots=True)
class OpenDocument:
    """A document as the editor has it: `path` is None for one that is not a file (untitled)."""

    uri: str
    path: str | None
    kind: str
    text: str
    version: int


@dataclass(frozen=True, slots=True)
class Rules:
    """What lints the files under one config file: the linter, the config (for `exclude`), the rules by id."""

    linter: Linter
    config: Config
    by_id: Mapping[str, Rule]


@dataclass(frozen=True, slots=True)
class Linted:
    """A document as last linted: its text, findings, diagnostics (findings first, in the same order)."""

    uri: str
    version: int
    source: SourceFile
    findings: tuple[Finding, ...]
    diagnostics: tuple[types.Diagnostic, ...]
    document: Document | None
    rules: Mapping[str, Rule]


# What a config's rules were built from: (path, modification time, size) of the config file and
# of each rule file it names. A change shows at the next lint even where the editor does not
# report file changes (Neovim on Linux does not, by default).
Stamp = tuple[tuple[str, int, int], ...]


def stamp(config_path: str, config: Config | None) -> Stamp:
    paths: list[str] = [config_path] if config_path else []
    for rule_path in config.rules if config else ():
        try:
            paths += [str(file) for file in rule_files(rule_path)]
        except KmlintError:
            paths.append(rule_path)  # gone: stamped as missing below
    entries = []
    for path in paths:
        try:
            info = os.stat(path)
            entries.append((path, info.st_mtime_ns, info.st_size))
        except OSError:
            entries.append((path, -1, -1))
    return tuple(entries)


class Rulebook:
    """The rules for each config file in use, built when first needed and again when config or rule
    files change; a config that breaks keeps its last good rules. Used from the lint thread only."""

    def __init__(self, root: str, baseline: Baseline | None):
        self._root = root
        self._baseline = baseline
        self._built: dict[str, Rules | None] = {}  # config file ("" for none) -> its last good rules
        self._stamps: dict[str, Stamp] = {}  # config file -> the files as they were when last built
        self._shown: dict[str, str] = {}  # config file -> the error last shown for it

    def for_path(self, path: str | None) -> tuple[Rules | None, str | None]:
        """The rules for a file (None while its config has never loaded), and an error to show, if new."""
        key = find_config(path or self._root) or ""
        rules = self._built.get(key)
        if key in self._built and stamp(key, rules.config if rules else None) == self._stamps[key]:
            return rules, None
        message = self._build(key)
        return self._built[key], message

    def reload(self) -> list[str]:
        """Rebuild the rules of every config in use; the errors to show (each once, while it lasts)."""
        messages = []
        for key in list(self._built):
            if key and not os.path.isfile(key):  # removed: its files now find another config
                del self._built[key]
                self._shown.pop(key, None)
                continue
            message = self._build(key)
            if message:
                messages.append(message)
        return messages

    def _build(self, key: str) -> str | None:
        self._built.setdefault(key, None)
        try:
            config = load_config(key, key) if key else Config()
            settings = resolve(config)
            linter = Linter(settings.rules, settings.severities, settings.file_ignores, False, self._baseline)
        except Exception as error:  # a KmlintError names the file; anything else is a bug, still one message
            last_good = self._built[key]
            self._stamps[key] = stamp(key, last_good.config if last_good else None)
            kept = "the last good rules stay in use" if last_good else "files under it are not checked until it is fixed"
            what = str(error) if isinstance(error, KmlintError) else f"internal error loading the rules ({type(error).__name__}: {error})"
            message = f"kmlint: {what} ({kept})"
            if self._shown.get(key) == message:
                return None
            self._shown[key] = message
            return message
        self._built[key] = Rules(linter, config, {rule.id: rule for rule in settings.rules})
        self._stamps[key] = stamp(key, config)
        self._shown.pop(key, None)
        return None


def position_encoding(offered: Sequence[str]) -> types.PositionEncodingKind:
    """The unit of LSP positions, from those the client offers (LSP 3.17): UTF-32 counts code points
    as kmlint does, so it needs no conversion; else UTF-16, the default every client supports."""
    return types.PositionEncodingKind.Utf32 if types.PositionEncodingKind.Utf32 in offered else types.PositionEncodingKind.Utf16


def rule_link(rule: Rule, docs_url: str | None) -> str:
    """The page a diagnostic's code links to: the rule's section of docs/rules.md where it is
    published (`--rules-docs-url`, built-in rules), else the rule's first reference, as in SARIF."""
    if docs_url and rule.built_in:
        return f"{docs_url}#{anchor(rule)}"
    return help_uri(rule)


def hover_markdown(finding: Finding, rule: Rule | None) -> str:
    """What a hover on a flagged span says: the rule, the message, the suggestion, why, references."""
    parts = [f"**{finding.rule} {markdown_text(finding.name)}** · {finding.category} · {finding.severity}", markdown_text(finding.message)]
    parts.append(f"**Suggestion.** {markdown_text(finding.suggestion)}")
    if rule is not None:
        parts.append(f"**Why it matters.** {markdown_text(rule.rationale.strip())}")
        parts.append("**References.**\n" + markdown_references(rule))
    return "\n\n".join(parts)


def _range(positions: TextPositions, start: int, end: int) -> types.Range:
    return types.Range(types.Position(*positions.position(start)), types.Position(*positions.position(end)))


def _file_diagnostic(diagnostic: Diagnostic) -> types.Diagnostic:
    """Something about the whole file (a rule that timed out, an unknown directive): at its start."""
    severity = types.DiagnosticSeverity.Error if diagnostic.level == "error" else types.DiagnosticSeverity.Warning
    place = types.Range(types.Position(0, 0), types.Position(0, 0))
    return types.Diagnostic(range=place, message=diagnostic.message, severity=severity, source="kmlint")


class KmlintProtocol(LanguageServerProtocol):
    """pygls's protocol with kmlint's position encoding and its own document store.

    Documents are kept by the server (KmlintServer.documents), not in pygls's workspace: that one
    splits lines at form feeds and U+2028 too (str.splitlines), where the LSP and kmlint do not."""

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Generator[Any, Any, types.InitializeResult]:
        # pygls would take the client's first choice (UTF-8 from Neovim): offer it kmlint's only.
        general = params.capabilities.general or types.GeneralClientCapabilities()
        general.position_encodings = [position_encoding(general.position_encodings or [])]
        params.capabilities.general = general
        result: types.InitializeResult = yield from super().lsp_initialize(params)
        return result

    def _user(self, method: str, params: Any) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(method)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> Generator[Any, Any, None]:
        yield from self._user(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Generator[Any, Any, None]:
        yield from self._user(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> Generator[Any, Any, None]:
        yield from self._user(types.TEXT_DOCUMENT_DID_CLOSE, params)


class KmlintServer(LanguageServer):
    """Open documents, their last lint, and one thread that lints (the message loop never waits on it)."""

    def __init__(self, baseline: Baseline | None = None, docs_url: str | None = None):
        super().__init__("kmlint", __version__, protocol_cls=KmlintProtocol)
        self.baseline = baseline
        self.docs_url = docs_url
        self.utf16 = True
        self.documents: dict[str, OpenDocument] = {}
        self.linted: dict[str, Linted] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.reloading: asyncio.Task[None] | None = None
        # One thread: lints run one at a time, in order, and the rulebook needs no lock.
        self.lint_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kmlint-lint")
        self.rulebook = Rulebook(os.getcwd(), baseline)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stopping = False  # after `shutdown`: the LSP allows only `exit`, nothing is linted

    # -- in the message loop ---------------------------------------------------------------------

    def schedule(self, uri: str, delay: float) -> None:
        """Lint a document after `delay` seconds, replacing a lint already waiting for it."""
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        if not self.stopping:
            self.pending[uri] = asyncio.get_running_loop().create_task(self._lint_soon(uri, delay))

    async def _lint_soon(self, uri: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        document = self.documents.get(uri)
        if document is None:
            return
        linted = await asyncio.get_running_loop().run_in_executor(self.lint_thread, self.lint, document)
        current = self.documents.get(uri)
        if current is None or current.version != document.version or current.text is not document.text:
            return  # edited meanwhile: the lint of the new text is on its way
        self.linted[uri] = linted
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=list(linted.diagnostics), version=document.version))
        if self.pending.get(uri) is asyncio.current_task():
            del self.pending[uri]

    def show_error(self, message: str) -> None:
        self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=message))

    def reload_rules(self) -> None:
        """Rebuild the rules (a config or rule file changed), then lint every open document again."""
        if self.reloading is not None:
            self.reloading.cancel()
        if self.stopping:
            return
        self.reloading = asyncio.get_running_loop().create_task(self._reload())

    async def _reload(self) -> None:
        await asyncio.sleep(DEBOUNCE_SECONDS)  # a save often comes as several events
        await asyncio.get_running_loop().run_in_executor(self.lint_thread, self._reload_rulebook)
        for uri in self.documents:
            self.schedule(uri, 0)

    def current(self, uri: str) -> Linted | None:
        """The last lint of a document if it is of the text the editor has now (else positions would be off)."""
        linted = self.linted.get(uri)
        document = self.documents.get(uri)
        if linted is None or document is None or linted.version != document.version or linted.source.text != document.text:
            return None
        return linted

    # -- in the lint thread ----------------------------------------------------------------------

    def _post_error(self, message: str) -> None:
        # Sent from the message loop (the only writer to the client); posted from here, not returned,
        # so that it is shown even when the task that waits for this work has been cancelled.
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.show_error, message)

    def _reload_rulebook(self) -> None:
        for message in self.rulebook.reload():
            self._post_error(message)

    def lint(self, document: OpenDocument) -> Linted:
        rules, message = self.rulebook.for_path(document.path)
        if message:
            self._post_error(message)
        name = document.path or document.uri
        if len(document.text) > MAX_FILE_BYTES:
            source = SourceFile(name, "", document.kind)
            too_large = f"too large to check ({len(document.text) / 2**20:.0f} M characters; the limit is {MAX_FILE_BYTES // 2**20} MiB)"
            result = FileResult.not_checked(name, too_large)
        else:
            source = SourceFile(name, document.text, document.kind)
            result = self._check(source, rules, document.path)
        positions = TextPositions(document.text, self.utf16)
        by_id = rules.by_id if rules else {}
        diagnostics = [self._diagnostic(finding, by_id.get(finding.rule), positions) for finding in result.findings]
        diagnostics += [_file_diagnostic(diagnostic) for diagnostic in result.diagnostics]
        return Linted(document.uri, document.version, source, result.findings, tuple(diagnostics), result.document, by_id)

    def _check(self, source: SourceFile, rules: Rules | None, path: str | None) -> FileResult:
        if rules is None or (path is not None and rules.config.excluded(path)):
            return FileResult(source.path, ())
        try:
            return rules.linter.check_source(source, keep_document=True)
        except Exception as error:  # a bug on one odd document must not stop the server
            logger.exception("linting %s", source.path)
            return FileResult.not_checked(source.path, f"internal error while checking ({type(error).__name__}: {error})")

    def _diagnostic(self, finding: Finding, rule: Rule | None, positions: TextPositions) -> types.Diagnostic:
        return types.Diagnostic(
            range=_range(positions, finding.start, finding.end),
            message=finding.message,
            severity=SEVERITIES[finding.severity],
            code=finding.rule,
            code_description=types.CodeDescription(href=rule_link(rule, self.docs_url)) if rule else None,
            source="kmlint",
        )

    # -- answers to requests (message loop; they only read the last lint) -------------------------

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        linted = self.current(params.text_document.uri)
        if linted is None:
            return None
        positions = TextPositions(linted.source.text, self.utf16)
        offset = positions.offset(params.position.line, params.position.character)
        hits = [finding for finding in linted.findings if finding.start <= offset < finding.end]
        if not hits:
            return None
        text = "\n\n---\n\n".join(hover_markdown(finding, linted.rules.get(finding.rule)) for finding in hits)
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
            range=_range(positions, hits[0].start, hits[0].end),
        )

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        linted = self.current(params.text_document.uri)
        if linted is None:
            return None
        positions = TextPositions(linted.source.text, self.utf16)
        start = positions.offset(params.range.start.line, params.range.start.character)
        end = positions.offset(params.range.end.line, params.range.end.character)
        actions: list[types.CodeAction] = []
        for index, finding in enumerate(linted.findings):
            if finding.start > end or finding.end < start:
                continue
            diagnostic = linted.diagnostics[index]
            for edit in safe_edits(linted.source, [finding])[0]:
                actions.append(
                    types.CodeAction(
                        title=f"Replace “{finding.text}” with “{edit.text}” ({finding.rule})",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        is_preferred=True,
                        edit=self._workspace_edit(linted, positions, [(edit.start, edit.end, edit.text)]),
                    )
                )
            insertion = disable_next_line(linted.source, linted.document, finding, SUPPRESSION_REASON) if linted.document else None
            if insertion is not None:
                actions.append(
                    types.CodeAction(
                        title=f"Disable {finding.rule} for this line (kmlint-disable-next-line)",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        edit=self._workspace_edit(linted, positions, [(insertion[0], insertion[0], insertion[1])]),
                    )
                )
        fixes = safe_edits(linted.source, linted.findings)[0]
        if fixes:
            fixed = {(edit.start, edit.end) for edit in fixes}
            actions.append(
                types.CodeAction(
                    title="Fix all safe kmlint problems",
                    kind=FIX_ALL_KIND,
                    diagnostics=[d for f, d in zip(linted.findings, linted.diagnostics[: len(linted.findings)], strict=True) if (f.start, f.end) in fixed],
                    edit=self._workspace_edit(linted, positions, [(edit.start, edit.end, edit.text) for edit in fixes]),
                )
            )
        only = params.context.only
        if only:
            actions = [action for action in actions if any(action.kind == kind or str(action.kind).startswith(f"{kind}.") for kind in only)]
        return actions

    def _workspace_edit(self, linted: Linted, positions: TextPositions, edits: Sequence[tuple[int, int, str]]) -> types.WorkspaceEdit:
        text_edits: list[types.TextEdit] = [types.TextEdit(range=_range(positions, start, end), new_text=text) for start, end, text in edits]
        if get_capability(self.client_capabilities, "workspace.workspace_edit.document_changes", False):
            identifier = types.OptionalVersionedTextDocumentIdentifier(uri=linted.uri, version=linted.version)
            return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=identifier, edits=list(text_edits))])
        return types.WorkspaceEdit(changes={linted.uri: text_edits})


def _kind(path: str | None, language_id: str) -> str | None:
    return (kind_for(path) if path else None) or LANGUAGE_KINDS.get(language_id)


def _shapes_rules(path: str) -> bool:
    """A file whose change may change the rules: a config file or a YAML file (a rule file)."""
    name = os.path.basename(path)
    return name in CONFIG_NAMES or name == PYPROJECT or name.endswith((".yaml", ".yml"))


def create_server(baseline: Baseline | None = None, docs_url: str | None = None) -> KmlintServer:
    """The server with its handlers; `start_io()` runs it."""
    server = KmlintServer(baseline, docs_url)

    @server.feature(types.INITIALIZE)
    def initialize(ls: KmlintServer, params: types.InitializeParams) -> None:
        ls.utf16 = ls.workspace.position_encoding != types.PositionEncodingKind.Utf32
        ls.loop = asyncio.get_running_loop()
        root = ls.workspace.root_path
        if root:
            ls.rulebook = Rulebook(root, ls.baseline)

    @server.feature(types.INITIALIZED)
    def initialized(ls: KmlintServer, params: types.InitializedParams) -> None:
        if get_capability(ls.client_capabilities, "workspace.did_change_watched_files.dynamic_registration", False):
            watchers = [types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED_GLOBS]
            options = types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)
            registration = types.Registration(id="kmlint-rule-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options)
            ls.client_register_capability(types.RegistrationParams(registrations=[registration]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: KmlintServer, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        path = to_fs_path(item.uri) if item.uri.startswith("file:") else None
        kind = _kind(path, item.language_id)
        if kind is None:
            return
        ls.documents[item.uri] = OpenDocument(item.uri, path, kind, item.text, item.version)
        ls.schedule(item.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: KmlintServer, params: types.DidChangeTextDocumentParams) -> None:
        document = ls.documents.get(params.text_document.uri)
        if document is None:
            return
        text = document.text
        for change in params.content_changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                span = (change.range.start.line, change.range.start.character, change.range.end.line, change.range.end.character)
                text = apply_change(text, span, change.text, ls.utf16)
            else:
                text = change.text
        ls.documents[document.uri] = OpenDocument(document.uri, document.path, document.kind, text, params.text_document.version)
        ls.schedule(document.uri, DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: KmlintServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri in ls.documents:
            ls.schedule(uri, 0)
        elif uri.startswith("file:") and _shapes_rules(to_fs_path(uri) or ""):
            ls.reload_rules()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: KmlintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        waiting = ls.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        ls.linted.pop(uri, None)
        if ls.documents.pop(uri, None) is not None:
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: KmlintServer, params: types.DidChangeWatchedFilesParams) -> None:
        if any(change.uri.startswith("file:") and _shapes_rules(to_fs_path(change.uri) or "") for change in params.changes):
            ls.reload_rules()

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: KmlintServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]),
    )
    def code_action(ls: KmlintServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        return ls.code_actions(params)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: KmlintServer, params: None) -> None:
        ls.stopping = True
        for task in ls.pending.values():
            task.cancel()
        ls.lint_thread.shutdown(wait=False, cancel_futures=True)

    return server


class OneLineLog(logging.Formatter):
    """Log records (pygls's too) as one line on stderr, which editors show as the server's log; the
    exception's type and message stand in for its traceback (KMLINT_DEBUG=1 keeps tracebacks)."""

    def format(self, record: logging.LogRecord) -> str:
        lines = record.getMessage().splitlines() or [""]  # pygls puts some tracebacks in the message itself
        message = f"kmlint server: {record.levelname.lower()}: {lines[0]}"
        if record.exc_info and record.exc_info[1] is not None:
            message += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
        return message


def serve(baseline: Baseline | None = None, docs_url: str | None = None) -> None:
    """Run the server on standard input and output until the client says exit (or goes away)."""
    handler = logging.StreamHandler()
    if not os.environ.get("KMLINT_DEBUG"):
        handler.setFormatter(OneLineLog())
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    create_server(baseline, docs_url).start_io()

