"""The language server end to end: a real LSP client (pytest-lsp) speaking JSON-RPC to `kmlint server` in a subprocess."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp", reason="pytest-lsp is not installed (pip install '.[test]')")

from lsprotocol import types  # noqa: E402
from pygls.protocol import default_converter  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features  # noqa: E402

from kmlint.server import position_encoding  # noqa: E402

pytestmark = pytest.mark.asyncio(loop_scope="module")

_LSP_BREAK = re.compile(r"\r\n|\r|\n")
WAIT_SECONDS = 20

HTML = (
    "<!doctype html>\n"
    "<html><head><title>Care 😀 for you</title></head>\n"
    "<body>\n"
    "<p>🌿 Our team: ketamine is <strong>safe &amp; non-addictive</strong>.</p>\n"
    "<p>𝒜 A cutting-edge clinic with a state-of-the-art suite.</p>\n"
    '<img src="x.png" alt="Relief within hours 😀">\n'
    "</body></html>\n"
)
# (rule, severity, the source the diagnostic covers): behind an entity, inside tags, in an
# attribute, after astral characters; and the page-level findings at the word that triggered them.
HTML_EXPECTED = [
    ("KM101", types.DiagnosticSeverity.Error, "safe &amp; non-addictive"),
    ("KM304", types.DiagnosticSeverity.Information, "cutting-edge"),
    ("KM304", types.DiagnosticSeverity.Information, "state-of-the-art"),
    ("KM204", types.DiagnosticSeverity.Warning, "Relief within hours"),
    ("KM911", types.DiagnosticSeverity.Warning, "Relief"),
    ("KM941", types.DiagnosticSeverity.Warning, "Relief"),
]
MARKDOWN = (
    "---\ntitle: Ketamine care\n---\n\n"
    "# Our clinic 🧠\n\n"
    "Ketamine therapy is *safe* and non-addictive — 😀 relief within hours.\n\n"
    "- A cutting-edge clinic &amp; team\n"
)
MARKDOWN_EXPECTED = [
    ("KM901", types.DiagnosticSeverity.Error, "Ketamine therapy"),
    ("KM101", types.DiagnosticSeverity.Error, "safe* and non-addictive"),
    ("KM204", types.DiagnosticSeverity.Warning, "relief within hours"),
    ("KM911", types.DiagnosticSeverity.Warning, "relief"),
    ("KM941", types.DiagnosticSeverity.Warning, "relief"),
    ("KM304", types.DiagnosticSeverity.Information, "cutting-edge"),
]


# -- an LSP client's view of positions, worked out independently of kmlint.codeunits ------------


def lsp_position(text: str, offset: int, utf16: bool) -> types.Position:
    line_start = max([0] + [m.end() for m in _LSP_BREAK.finditer(text, 0, offset) if m.end() <= offset])
    line = len(_LSP_BREAK.findall(text, 0, line_start))
    before = text[line_start:offset]
    return types.Position(line, len(before.encode("utf-16-le")) // 2 if utf16 else len(before))


def text_offset(text: str, position: types.Position, utf16: bool) -> int:
    starts = [0] + [m.end() for m in _LSP_BREAK.finditer(text)]
    start = starts[position.line]
    if not utf16:
        return start + position.character
    return start + len(text[start:].encode("utf-16-le")[: 2 * position.character].decode("utf-16-le"))


def apply_text_edits(text: str, edits: list[types.TextEdit], utf16: bool) -> str:
    """What an editor does with a WorkspaceEdit's edits: all ranges refer to the text before any edit."""
    spans = sorted(((text_offset(text, e.range.start, utf16), text_offset(text, e.range.end, utf16), e.new_text) for e in edits), reverse=True)
    for start, end, new_text in spans:
        text = text[:start] + new_text + text[end:]
    return text


def edits_of(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    assert action.edit is not None
    if action.edit.document_changes:
        return [edit for change in action.edit.document_changes if isinstance(change, types.TextDocumentEdit) for edit in change.edits]  # type: ignore[misc]
    return list((action.edit.changes or {})[uri])


# -- the client -----------------------------------------------------------------------------------


def make_client() -> LanguageClient:
    """pytest-lsp's client, keeping every publishDiagnostics (with its version) and accepting the
    server's registration of file watchers."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []  # type: ignore[attr-defined]

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        client.published.append(params)  # type: ignore[attr-defined]

    def register(client: LanguageClient, params: types.RegistrationParams) -> None:
        client.registrations = params.registrations  # type: ignore[attr-defined]

    features: dict[str, Any] = {**DEFAULT_CLIENT_FEATURES, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish, types.CLIENT_REGISTER_CAPABILITY: register}
    register_lsp_features(client, features)
    return client


CONFIG = ClientServerConfig(server_command=[sys.executable, "-m", "kmlint", "server"], client_factory=make_client)
WORKSPACE = Path(tempfile.mkdtemp(prefix="kmlint-lsp-"))


def capabilities(encodings: list[str] | None) -> types.ClientCapabilities:
    capabilities = client_capabilities("visual-studio-code")
    capabilities.general = types.GeneralClientCapabilities(position_encodings=encodings)
    return capabilities


async def start(client: LanguageClient, encodings: list[str] | None) -> types.InitializeResult:
    folders = [types.WorkspaceFolder(WORKSPACE.as_uri(), "w")]
    return await client.initialize_session(types.InitializeParams(capabilities=capabilities(encodings), root_uri=WORKSPACE.as_uri(), workspace_folders=folders))


@pytest.fixture(scope="module", autouse=True)
def compiled_rule_pack() -> None:
    """The rule pack compiled into the start-up cache before a server starts: a first run compiles it
    (about 20 s), which the waits for diagnostics below are not meant to measure."""
    page = WORKSPACE / "warm-up.txt"
    page.write_text("Nothing to see here.\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "kmlint", "check", "--fail-on", "never", str(page)], capture_output=True, timeout=600, check=True)
    page.unlink()


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def utf16(client: LanguageClient):
    result = await start(client, None)  # a client that names no encoding gets the default
    client.encoding = result.capabilities.position_encoding  # type: ignore[attr-defined]
    yield
    await client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def utf32(client: LanguageClient):
    result = await start(client, ["utf-8", "utf-16", "utf-32"])  # as Neovim offers them
    client.encoding = result.capabilities.position_encoding  # type: ignore[attr-defined]
    yield
    await client.shutdown_session()


@pytest.fixture(params=["utf16", "utf32"])
def client(request: pytest.FixtureRequest) -> LanguageClient:
    """Each test runs with a client that speaks UTF-16 and one that speaks UTF-32."""
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


def is_utf16(client: LanguageClient) -> bool:
    return client.encoding == types.PositionEncodingKind.Utf16  # type: ignore[attr-defined,no-any-return]


async def until(condition: Callable[[], Any], what: str) -> Any:
    for _ in range(WAIT_SECONDS * 50):
        value = condition()
        if value:
            return value
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def diagnostics_for(client: LanguageClient, uri: str, version: int) -> list[types.Diagnostic]:
    """The diagnostics the server publishes for this version of the document."""
    found = await until(
        lambda: next((p for p in reversed(client.published) if p.uri == uri and p.version == version), None),  # type: ignore[attr-defined]
        f"diagnostics for {uri} version {version}",
    )
    return list(found.diagnostics)


_versions: dict[str, int] = {}


def write_and_open(client: LanguageClient, name: str, text: str, language: str) -> str:
    folder, _, base = name.rpartition("/")
    path = WORKSPACE / folder / f"{'16' if is_utf16(client) else '32'}-{base}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    uri = path.as_uri()
    _versions[uri] = 1
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, language, 1, text)))
    return uri


def change(client: LanguageClient, uri: str, edits: list[types.TextEdit] | None = None, text: str | None = None) -> int:
    _versions[uri] += 1
    if text is not None:
        changes: list[Any] = [types.TextDocumentContentChangeWholeDocument(text=text)]
    else:
        changes = [types.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in edits or []]
    client.text_document_did_change(types.DidChangeTextDocumentParams(types.VersionedTextDocumentIdentifier(_versions[uri], uri), changes))
    return _versions[uri]


# -- the tests --------------------------------------------------------------------------------------


async def test_the_position_encoding_is_negotiated(utf16, utf32):
    # UTF-32 whenever the client offers it (no conversion), else the LSP's default, UTF-16.
    assert utf16.encoding == types.PositionEncodingKind.Utf16
    assert utf32.encoding == types.PositionEncodingKind.Utf32
    assert position_encoding(["utf-8", "utf-16"]) == types.PositionEncodingKind.Utf16
    assert position_encoding([]) == types.PositionEncodingKind.Utf16


@pytest.mark.parametrize(
    ("name", "language", "text", "expected"), [("page.html", "html", HTML, HTML_EXPECTED), ("page.md", "markdown", MARKDOWN, MARKDOWN_EXPECTED)]
)
async def test_diagnostics_have_exact_ranges_codes_and_severities(client, name, language, text, expected):
    uri = write_and_open(client, name, text, language)
    diagnostics = await diagnostics_for(client, uri, 1)
    utf16 = is_utf16(client)
    got = [(d.code, d.severity, d.range.start, d.range.end) for d in diagnostics]
    want = []
    for rule, severity, words in expected:
        start = text.index(words)
        want.append((rule, severity, lsp_position(text, start, utf16), lsp_position(text, start + len(words), utf16)))
    assert sorted(got, key=repr) == sorted(want, key=repr)
    for diagnostic in diagnostics:
        assert diagnostic.source == "kmlint"
        assert diagnostic.code_description is not None and diagnostic.code_description.href.startswith("https://")


async def test_the_findings_are_those_of_kmlint_check_on_the_saved_file(utf32):
    client = utf32
    uri = write_and_open(client, "same.md", MARKDOWN, "markdown")
    diagnostics = await diagnostics_for(client, uri, 1)
    path = WORKSPACE / "32-same.md"
    done = subprocess.run([sys.executable, "-m", "kmlint", "check", "--format", "json", str(path)], capture_output=True, text=True, cwd=WORKSPACE)
    findings = json.loads(done.stdout)["findings"]
    # UTF-32 characters are code points: kmlint's columns less one.
    check = sorted((f["rule"], f["line"] - 1, f["column"] - 1, f["end_line"] - 1, f["end_column"] - 1, f["message"]) for f in findings)
    served = sorted((d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, d.message) for d in diagnostics)
    assert served == check


async def test_hover_on_a_flagged_span_explains_it(client):
    uri = write_and_open(client, "hover.html", HTML, "html")
    await diagnostics_for(client, uri, 1)
    inside = lsp_position(HTML, HTML.index("non-addictive"), is_utf16(client))
    hover = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), inside))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    value = hover.contents.value
    assert value.startswith("**KM101 absolute-safety**")
    for part in ("promises safety without qualification", "**Suggestion.**", "**Why it matters.**", "**References.**\n- ["):
        assert part in value
    outside = lsp_position(HTML, HTML.index("Our team"), is_utf16(client))
    assert await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), outside)) is None


async def actions_at(client: LanguageClient, uri: str, text: str, words: str, only: list[str] | None = None) -> list[types.CodeAction]:
    start = text.index(words)
    where = types.Range(lsp_position(text, start, is_utf16(client)), lsp_position(text, start + len(words), is_utf16(client)))
    context = types.CodeActionContext(diagnostics=[], only=only)
    found = await client.text_document_code_action_async(types.CodeActionParams(types.TextDocumentIdentifier(uri), where, context))
    return [action for action in found or [] if isinstance(action, types.CodeAction)]


async def test_a_safe_fix_replaces_exactly_the_words(client):
    uri = write_and_open(client, "fix.html", HTML, "html")
    await diagnostics_for(client, uri, 1)
    actions = await actions_at(client, uri, HTML, "cutting-edge")
    fix = next(action for action in actions if action.title.startswith("Replace"))
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    fixed = apply_text_edits(HTML, edits_of(fix, uri), is_utf16(client))
    assert fixed == HTML.replace("cutting-edge", "modern")
    version = change(client, uri, edits_of(fix, uri))
    codes = [d.code for d in await diagnostics_for(client, uri, version)]
    assert codes.count("KM304") == 1  # state-of-the-art is left


async def test_fix_all_applies_every_safe_fix(client):
    uri = write_and_open(client, "fixall.html", HTML, "html")
    await diagnostics_for(client, uri, 1)
    actions = await actions_at(client, uri, HTML, "Our team", only=[types.CodeActionKind.SourceFixAll])
    assert [action.kind for action in actions] == ["source.fixAll.kmlint"]
    fixed = apply_text_edits(HTML, edits_of(actions[0], uri), is_utf16(client))
    assert fixed == HTML.replace("cutting-edge", "modern").replace("state-of-the-art", "modern")


@pytest.mark.parametrize(("name", "language", "text"), [("sup.html", "html", HTML), ("sup.md", "markdown", MARKDOWN)])
async def test_a_suppression_comment_silences_the_finding(client, name, language, text):
    uri = write_and_open(client, name, text, language)
    await diagnostics_for(client, uri, 1)
    actions = await actions_at(client, uri, text, "non-addictive")
    disable = next(action for action in actions if action.title.startswith("Disable KM101"))
    edits = edits_of(disable, uri)
    assert len(edits) == 1 and edits[0].new_text.strip() == "<!-- kmlint-disable-next-line KM101 -- reason -->"
    version = change(client, uri, edits)
    codes = [d.code for d in await diagnostics_for(client, uri, version)]
    assert "KM101" not in codes and "KM204" in codes


async def test_incremental_edits_after_astral_characters_land_where_the_client_put_them(client):
    uri = write_and_open(client, "edit.html", HTML, "html")
    await diagnostics_for(client, uri, 1)
    utf16 = is_utf16(client)
    start = HTML.index("safe &amp;")
    edit = types.TextEdit(types.Range(lsp_position(HTML, start, utf16), lsp_position(HTML, start + len("safe"), utf16)), "well tolerated")
    version = change(client, uri, [edit])
    diagnostics = await diagnostics_for(client, uri, version)
    assert "KM101" not in [d.code for d in diagnostics]
    # The edited text is what the server lints: the alt text's finding moved by nothing, the rest stays.
    edited = apply_text_edits(HTML, [edit], utf16)
    relief = edited.index("Relief within hours")
    assert any(d.code == "KM204" and d.range.start == lsp_position(edited, relief, utf16) for d in diagnostics)


async def test_rapid_edits_end_with_the_diagnostics_of_the_last_text(utf16):
    client = utf16
    uri = write_and_open(client, "rapid.md", "Hello.\n", "markdown")
    await diagnostics_for(client, uri, 1)
    text = "Hello.\n"
    version = 1
    for word in "Our cutting-edge clinic is safe and non-addictive".split():
        end = lsp_position(text, len(text) - 1, True)
        version = change(client, uri, [types.TextEdit(types.Range(end, end), " " + word)])
        text = text[:-1] + " " + word + "\n"
    codes = sorted(d.code for d in await diagnostics_for(client, uri, version))
    assert "KM101" in codes and "KM304" in codes
    # Versions in between were superseded before they were linted: at most a few were published.
    assert len([p for p in client.published if p.uri == uri]) < 6  # type: ignore[attr-defined]


async def test_nonsense_positions_and_unknown_documents_never_stop_the_server(utf16):
    client = utf16
    uri = write_and_open(client, "odd.md", "Safe and non-addictive.\n", "markdown")
    await diagnostics_for(client, uri, 1)
    far = types.Range(types.Position(900, 900), types.Position(5, 0))  # past the end, and backwards
    version = change(client, uri, [types.TextEdit(far, "Ketamine is safe and non-addictive.")])
    await diagnostics_for(client, uri, version)
    unknown = types.TextDocumentIdentifier((WORKSPACE / "never-opened.md").as_uri())
    assert await client.text_document_hover_async(types.HoverParams(unknown, types.Position(0, 0))) is None
    client.text_document_did_change(types.DidChangeTextDocumentParams(types.VersionedTextDocumentIdentifier(1, unknown.uri), []))
    big = "Ketamine is safe and non-addictive 😀. " * 10000  # 400 kB on one line, 10,000 findings
    version = change(client, uri, text=big)
    assert [d.code for d in await diagnostics_for(client, uri, version)].count("KM101") == 10000
    on_a_claim = types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(0, 14))
    assert await client.text_document_hover_async(on_a_claim) is not None
    # Cancelled requests: one the server may already have answered, and one it never heard of.
    asked = client.protocol.send_request(types.TEXT_DOCUMENT_HOVER, on_a_claim, msg_id="hover-1")
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="hover-1"))
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="never-sent"))
    await asyncio.wait([asyncio.wrap_future(asked)], timeout=WAIT_SECONDS)
    version = change(client, uri, text="Safe and non-addictive.\n")
    assert [d.code for d in await diagnostics_for(client, uri, version)] == ["KM101"]
    # Bytes no page should hold: NUL, a lone surrogate, form feed, U+2028 (not line breaks to the LSP).
    version = change(client, uri, text="\x00\ud800 x\x0c\u2028Safe and non-addictive.\n")
    diagnostics = await diagnostics_for(client, uri, version)
    assert [(d.code, d.range.start) for d in diagnostics] == [("KM101", types.Position(0, 6))]


async def test_editing_the_config_relints_open_documents(utf32):
    client = utf32
    folder = WORKSPACE / "configured"
    folder.mkdir(exist_ok=True)
    (folder / ".kmlint.yaml").write_text("ignore: []\n", encoding="utf-8")
    uri = write_and_open(client, "configured/page.md", MARKDOWN, "markdown")
    assert "KM101" in [d.code for d in await diagnostics_for(client, uri, 1)]
    (folder / ".kmlint.yaml").write_text("ignore: [KM101]\n", encoding="utf-8")
    before = len(client.published)  # type: ignore[attr-defined]
    config_uri = (folder / ".kmlint.yaml").as_uri()
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([types.FileEvent(config_uri, types.FileChangeType.Changed)]))
    published = await until(lambda: [p for p in client.published[before:] if p.uri == uri], "diagnostics after the config changed")  # type: ignore[attr-defined]
    assert "KM101" not in [d.code for d in published[-1].diagnostics]
    # An editor that reports no file changes: the next lint sees the config changed on disk.
    (folder / ".kmlint.yaml").write_text("ignore: [KM304, KM9]\n", encoding="utf-8")
    codes = [d.code for d in await diagnostics_for(client, uri, change(client, uri, text=MARKDOWN + "\nMore.\n"))]
    assert "KM101" in codes and "KM304" not in codes and "KM901" not in codes


RULE_FILE = """\
rules:
  - id: KM991
    name: house-word
    category: hype
    severity: warning
    kind: phrase
    message: "“{match}” is a word the house style avoids."
    suggestion: Say what happens instead.
    rationale: The house style guide asks for plain words.
    references:
      - title: House style guide
        url: https://example.org/style
    phrases: [wonderdrug]
    examples:
      flag: [A wonderdrug.]
      pass: [A drug.]
"""


async def test_a_broken_rule_file_gives_one_message_and_the_last_good_rules_stay(utf32):
    client = utf32
    folder = WORKSPACE / "house"
    folder.mkdir(exist_ok=True)
    (folder / "house.yaml").write_text(RULE_FILE, encoding="utf-8")
    (folder / ".kmlint.yaml").write_text("rules: [house.yaml]\n", encoding="utf-8")
    uri = write_and_open(client, "house/page.md", "A wonderdrug for all.\n", "markdown")
    assert "KM991" in [d.code for d in await diagnostics_for(client, uri, 1)]
    (folder / "house.yaml").write_text(RULE_FILE.replace("kind: phrase", "kind: [phrase"), encoding="utf-8")
    messages = len(client.messages)
    rule_uri = (folder / "house.yaml").as_uri()
    for _ in range(2):  # reported once, however often the broken file is saved
        client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(rule_uri)))
        await asyncio.sleep(0.3)
    shown = await until(lambda: client.messages[messages:], "a message about the broken rule file")
    assert len(shown) == 1 and shown[0].type == types.MessageType.Error
    assert "house.yaml:" in shown[0].message and "last good rules" in shown[0].message
    version = change(client, uri, text="Another wonderdrug.\n")
    assert "KM991" in [d.code for d in await diagnostics_for(client, uri, version)]


async def test_a_baseline_given_to_the_server_hides_the_recorded_findings(tmp_path):
    from kmlint.baseline import load_baseline
    from kmlint.server import OpenDocument, create_server, rule_link

    page = tmp_path / "page.md"
    page.write_text("Ketamine is safe and non-addictive.\n", encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    done = subprocess.run([sys.executable, "-m", "kmlint", "check", "--write-baseline", str(baseline), str(page)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    server = create_server(load_baseline(str(baseline)), "https://example.org/rules.md")
    text = page.read_text(encoding="utf-8") + "\nOur cutting-edge clinic.\n"
    linted = server.lint(OpenDocument(page.as_uri(), str(page), "markdown", text, 2))
    assert [finding.rule for finding in linted.findings] == ["KM304"]
    rule = linted.rules["KM304"]
    assert linted.diagnostics[0].code_description == types.CodeDescription(href=rule_link(rule, "https://example.org/rules.md"))
    assert rule_link(rule, "https://example.org/rules.md") == "https://example.org/rules.md#km304-cutting-edge"


async def test_malformed_messages_are_one_log_line_and_the_server_goes_on():
    def frame(body: str) -> bytes:
        data = body.encode("utf-8")
        return b"Content-Length: %d\r\n\r\n" % len(data) + data

    initialize = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}, "processId": None}})
    messages = [
        frame("{not json"),
        frame('{"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover", "params": {"nonsense": true}}'),
        frame(initialize),
        frame(json.dumps({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})),
        frame(json.dumps({"jsonrpc": "2.0", "method": "exit"})),
    ]
    done = subprocess.run([sys.executable, "-m", "kmlint", "server"], input=b"".join(messages), capture_output=True, timeout=WAIT_SECONDS)
    assert done.returncode == 0
    assert b'"positionEncoding": "utf-16"' in done.stdout and b'"id": 2' in done.stdout
    assert b"Traceback" not in done.stderr
    assert all(line.startswith(b"kmlint server: ") for line in done.stderr.splitlines())


async def test_a_document_past_the_size_limit_gets_one_diagnostic_instead_of_a_lint(monkeypatch):
    import kmlint.server
    from kmlint.server import OpenDocument, create_server

    monkeypatch.setattr(kmlint.server, "MAX_FILE_BYTES", 100)  # 16 MiB in earnest
    linted = create_server().lint(OpenDocument("untitled:big", None, "text", "Ketamine is safe and non-addictive. " * 10, 1))
    assert linted.findings == ()
    [diagnostic] = linted.diagnostics
    assert diagnostic.severity == types.DiagnosticSeverity.Error and diagnostic.message.startswith("too large to check")
