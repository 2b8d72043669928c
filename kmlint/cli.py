"""The command line: `kmlint check`, `kmlint eval`, `kmlint server` and `kmlint rules ...`; options in, exit status out, errors as one line."""

from __future__ import annotations

import io
import os
import sys
from typing import TYPE_CHECKING, Callable, Iterator, Sequence, TextIO

import click

from kmlint import __version__
from kmlint.errors import KmlintError

if TYPE_CHECKING:  # imported where used at run time, so that start-up loads only what a command needs
    from kmlint.discover import Target
    from kmlint.ruleset import Rule
    from kmlint.runner import StdinInput

FAIL_ON = ("error", "warning", "info", "never")


def _load_rules(rule_paths: Sequence[str], builtin: bool) -> list[Rule]:
    from kmlint.ruleset import builtin_rules_dir, load_rules

    paths = ([str(builtin_rules_dir())] if builtin else []) + list(rule_paths)
    return load_rules(paths)


def _use_color(choice: str, stream: TextIO) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return bool(stream.isatty())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kmlint")
def cli() -> None:
    """kmlint: find risky claims in ketamine-clinic marketing copy (HTML, Markdown, text)."""


@cli.command()
@click.argument("paths", nargs=-1)
@click.option("--format", "output_format", default=None, help="Output format: text, json, sarif, github, junit or html [default: text; github when GITHUB_ACTIONS=true].")
@click.option("--select", multiple=True, help="Only these rules: ids, id prefixes, names or categories (comma-separated or repeated).")
@click.option("--ignore", multiple=True, help="Leave out these rules: ids, id prefixes, names or categories.")
@click.option("--rules", "rule_paths", multiple=True, help="Extra rule file or folder (repeatable).")
@click.option("--no-builtin-rules", is_flag=True, help="Do not load the rules shipped with kmlint.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None, help="Lowest severity that makes the exit status 1 [default: the config's fail-on, else warning].")
@click.option("--stdin-filename", default=None, help="Name (and so file kind) for input read from '-'.")
@click.option("--color", type=click.Choice(("auto", "always", "never")), default="auto", show_default=True, help="Colour in text output.")
@click.option("--quiet", "-q", is_flag=True, help="Text output: one line per finding, no source or suggestion; github: no suggestion. Other formats ignore it.")
@click.option("--statistics", is_flag=True, help="Text and github output: counts per rule before the summary. Other formats ignore it (json, sarif and html carry counts already).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Processes that lint files side by side [default: the cores kmlint may use; never more than those or the files]; the output is the same for any number.")
@click.option("--config", "config_path", default=None, help="Config file to use instead of the nearest .kmlint.yaml or pyproject.toml [tool.kmlint].")
@click.option("--report-unused-suppressions", is_flag=True, help="Report kmlint-disable comments that silence nothing (rule KM000).")
@click.option("--baseline", "baseline_path", default=None, help="Report only findings not recorded in this baseline file.")
@click.option("--write-baseline", default=None, help="Record today's findings in this baseline file (exit 0 unless a file could not be checked).")
@click.option("--fix", is_flag=True, help="Apply the safe fixes (substitutions a rule marks fix: safe), then report what is left.")
@click.option("--diff", is_flag=True, help="Print the safe fixes as a unified diff instead of writing them; exit 1 if there are any.")
def check(
    paths: tuple[str, ...], output_format: str | None, select: tuple[str, ...], ignore: tuple[str, ...], rule_paths: tuple[str, ...],
    no_builtin_rules: bool, fail_on: str | None, stdin_filename: str | None, color: str, quiet: bool, statistics: bool, jobs: int | None,
    config_path: str | None, report_unused_suppressions: bool, baseline_path: str | None, write_baseline: str | None, fix: bool, diff: bool,
) -> None:
    """Check PATHS (files or folders; '-' for standard input; default '.')."""
    from kmlint.baseline import BaselineWriter, load_baseline
    from kmlint.config import load_config, resolve
    from kmlint.discover import check_paths, discover
    from kmlint.engine import Linter
    from kmlint.fix import FixTally, fix_all, show_diffs
    from kmlint.reporters import REPORTERS, ReportContext, counted, get_reporter
    from kmlint.runner import StdinInput, default_jobs, exit_status, lint_all, read_stdin, report
    from kmlint.source import kind_for
    from kmlint.suppress import UNUSED_SUPPRESSION

    # In GitHub Actions the findings become annotations on the pull request without any setup.
    output_format = output_format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    if output_format not in REPORTERS:
        raise click.BadParameter(f"{output_format!r} is not one of {', '.join(REPORTERS)}", param_hint="--format")
    paths = paths or (".",)
    check_paths(paths)
    if fix and not diff and "-" in paths:
        raise click.UsageError("--fix cannot rewrite standard input (use --diff to see the fixes)")
    if baseline_path and write_baseline:
        raise click.UsageError("use --baseline or --write-baseline, not both")
    # The config nearest the first path (or the cwd for '-' without --stdin-filename) applies to the run.
    config_start = (stdin_filename or ".") if paths[0] == "-" else paths[0]
    config = load_config(config_path, config_start)
    settings = resolve(config, builtin=not no_builtin_rules, rule_paths=rule_paths, select=select, ignore=ignore, fail_on=fail_on)
    rules = settings.rules
    baseline = load_baseline(baseline_path) if baseline_path else None
    linter = Linter(rules, settings.severities, settings.file_ignores, report_unused_suppressions, baseline)

    def targets() -> Iterator[Target | StdinInput]:
        for path in paths:
            if path == "-":
                name = stdin_filename or "-"
                if not (stdin_filename and config.excluded(name)):
                    yield StdinInput(name, kind_for(name) or "text", read_stdin())
            else:
                yield from (target for target in discover([path]) if not config.excluded(target.path))

    stream = sys.stdout
    if diff:
        sys.exit(show_diffs(fix_all(linter, targets(), write=False), stream, sys.stderr))
    context = ReportContext(
        rules={rule.id: rule for rule in (*rules, *([UNUSED_SUPPRESSION] if report_unused_suppressions else []))},
        color=_use_color(color, stream),
        quiet=quiet,
        statistics=statistics,
    )
    reporter_class = get_reporter(output_format)
    reporter = reporter_class(stream, context)
    # Documents are kept only for a reporter that shows the prose (html): they cost memory per file.
    keep_document = getattr(reporter_class, "needs_document", False)
    tally = FixTally() if fix else None
    if tally is not None:
        results = tally.results(fix_all(linter, targets(), write=True, keep_document=keep_document))
    else:
        results = lint_all(linter, targets(), jobs or default_jobs(), keep_document)
    writer = BaselineWriter(write_baseline) if write_baseline else None
    summary = report(writer.collect(results) if writer else results, reporter)
    stream.flush()
    if tally is not None and tally.fixes:
        click.echo(f"kmlint: {tally}", err=True)
    if writer:
        recorded = writer.write()
        click.echo(f"kmlint: recorded {counted(recorded, 'finding')} in {write_baseline}.", err=True)
    # Once written, the baseline accounts for every finding reported: only unchecked files fail the run.
    sys.exit(exit_status(summary, "never" if writer else settings.fail_on))


@cli.command("eval")
@click.argument("pages", nargs=-1, required=True)
@click.option("--annotations", "annotations_dir", required=True, help="Folder of annotation files (*.yaml), one per page (docs/eval.md).")
@click.option("--select", multiple=True, help="Only these rules: ids, id prefixes, names or categories (comma-separated or repeated).")
@click.option("--ignore", multiple=True, help="Leave out these rules: ids, id prefixes, names or categories.")
@click.option("--rules", "rule_paths", multiple=True, help="Extra rule file or folder (repeatable).")
@click.option("--no-builtin-rules", is_flag=True, help="Do not load the rules shipped with kmlint.")
@click.option("--config", "config_path", default=None, help="Config file to use instead of the nearest .kmlint.yaml or pyproject.toml [tool.kmlint].")
@click.option("--format", "output_format", type=click.Choice(("text", "json")), default="text", show_default=True, help="Report format.")
@click.option("--misses", is_flag=True, help="Text output: list each missed must span and each false finding with its source line.")
@click.option("--min-recall", type=click.FloatRange(0, 1), default=None, help="Exit 1 when span recall is below this.")
@click.option("--min-precision", type=click.FloatRange(0, 1), default=None, help="Exit 1 when span precision is below this.")
@click.option("--min-doc", type=click.FloatRange(0, 1), default=None, help="Exit 1 when document precision or recall is below this.")
def eval_command(
    pages: tuple[str, ...], annotations_dir: str, select: tuple[str, ...], ignore: tuple[str, ...], rule_paths: tuple[str, ...], no_builtin_rules: bool,
    config_path: str | None, output_format: str, misses: bool, min_recall: float | None, min_precision: float | None, min_doc: float | None,
) -> None:
    """Score the rules on annotated PAGES (files or folders): span recall and precision, document
    categories, per category and per rule. Exit 1 below a --min-* gate, 2 on an error."""
    from kmlint.annotations import find_pages, load_annotations
    from kmlint.config import load_config, resolve
    from kmlint.discover import check_paths
    from kmlint.engine import Linter
    from kmlint.evalreport import write_json, write_text
    from kmlint.evaluate import gates, score
    from kmlint.runner import default_jobs, lint_all

    check_paths(pages)
    # The rules are chosen as `check` chooses them, from the config nearest the first page.
    settings = resolve(load_config(config_path, pages[0]), builtin=not no_builtin_rules, rule_paths=rule_paths, select=select, ignore=ignore)
    annotations = load_annotations(annotations_dir, find_pages(pages))
    linter = Linter(settings.rules, settings.severities, settings.file_ignores)
    results = list(lint_all(linter, [page.target for page in annotations.pages], default_jobs()))
    problems = [d for result in results for d in result.diagnostics if d.level == "error"]
    if problems:
        # A page not (fully) checked would score as missing its claims: no figures rather than wrong ones.
        for problem in problems:
            click.echo(f"kmlint: error: {problem.path}: {problem.message}", err=True)
        sys.exit(2)
    evaluation = score(annotations.pages, results, annotations.unannotated)
    checks = gates(evaluation.scores, min_recall, min_precision, min_doc)
    if output_format == "json":
        write_json(evaluation, len(settings.rules), checks, sys.stdout)
    else:
        write_text(evaluation, len(settings.rules), checks, misses, sys.stdout)
    sys.stdout.flush()
    for gate in checks:
        if not gate.passed:
            click.echo(f"kmlint: {gate.label} {gate.value:.3f} is below {gate.option} {gate.minimum:g}", err=True)
    sys.exit(1 if any(not gate.passed for gate in checks) else 0)


@cli.command()
@click.option("--baseline", "baseline_path", default=None, help="Report only findings not recorded in this baseline file.")
@click.option("--rules-docs-url", default=None, help="Where docs/rules.md is published: diagnostics link built-in rules to their section there [default: each rule's first reference].")
def server(baseline_path: str | None, rules_docs_url: str | None) -> None:
    """Run the language server on standard input and output (for editors; see docs/editors.md)."""
    # Imported here: pygls is needed by this command only, so `kmlint check` starts no slower.
    from kmlint.baseline import load_baseline
    from kmlint.server import serve

    serve(load_baseline(baseline_path) if baseline_path else None, rules_docs_url)


@cli.group()
def rules() -> None:
    """List, show, validate, test and document rules."""


_rule_source_options = [
    click.option("--rules", "rule_paths", multiple=True, help="Extra rule file or folder (repeatable)."),
    click.option("--no-builtin-rules", is_flag=True, help="Do not load the rules shipped with kmlint."),
]


def _with_rule_sources(function: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(_rule_source_options):
        function = option(function)
    return function


@rules.command("list")
@_with_rule_sources
def rules_list(rule_paths: tuple[str, ...], no_builtin_rules: bool) -> None:
    """One line per rule: id, name, category, severity, kind."""
    for rule in _load_rules(rule_paths, not no_builtin_rules):
        click.echo(f"{rule.id:7} {rule.name:40} {rule.category:26} {rule.severity:8} {rule.kind}")


@rules.command("show")
@click.argument("rule_id")
@_with_rule_sources
def rules_show(rule_id: str, rule_paths: tuple[str, ...], no_builtin_rules: bool) -> None:
    """Everything about one rule: message, rationale, references and examples."""
    found = [r for r in _load_rules(rule_paths, not no_builtin_rules) if r.id == rule_id.upper() or rule_id in (r.name, *r.replaces)]
    if not found:
        raise KmlintError(f"no rule {rule_id!r} (see 'kmlint rules list')")
    rule = found[0]
    lines = [
        f"{rule.id} {rule.name}",
        f"  category:   {rule.category}",
        f"  severity:   {rule.severity}",
        f"  kind:       {rule.kind}",
        f"  defined in: {rule.path}:{rule.line}",
        "",
        f"Message:     {rule.message}",
        f"Suggestion:  {rule.suggestion}",
        "",
        "Why:",
        f"  {rule.rationale}",
        "",
        "References:",
        *[f"  - {ref.title}{f' ({ref.date})' if ref.date else ''}: {ref.url}" for ref in rule.references],
        "",
        "Flags:",
        *[f"  - {example}" for example in rule.flag_examples],
        "Passes:",
        *[f"  - {example}" for example in rule.pass_examples],
    ]
    click.echo("\n".join(lines))


@rules.command("validate")
@click.argument("paths", nargs=-1, required=True)
def rules_validate(paths: tuple[str, ...]) -> None:
    """Check rule files against the schema (and compile their patterns); exit 2 on the first error."""
    from kmlint.reporters import counted
    from kmlint.ruleset import load_rules

    loaded = load_rules(paths)
    click.echo(f"{counted(len(loaded), 'rule')} valid.")


@rules.command("test")
@click.argument("paths", nargs=-1)
def rules_test(paths: tuple[str, ...]) -> None:
    """Run every rule's examples: each `flag` example must give that rule's finding, each `pass` none.

    With no PATHS, the built-in rules are tested."""
    from kmlint.ruletest import run_examples

    rules_loaded = _load_rules(paths, builtin=not paths)
    failures = run_examples(rules_loaded)
    total = sum(len(r.flag_examples) + len(r.pass_examples) for r in rules_loaded)
    for failure in failures:
        click.echo(failure)
    click.echo(f"{total - len(failures)} passed, {len(failures)} failed ({len(rules_loaded)} rules)")
    sys.exit(1 if failures else 0)


@rules.command("docs")
@click.option("--output", "-o", default="docs/rules.md", show_default=True, help="File to write (atomically); '-' for standard output.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the output file is not up to date.")
@_with_rule_sources
def rules_docs(output: str, check: bool, rule_paths: tuple[str, ...], no_builtin_rules: bool) -> None:
    """Generate the rule reference (docs/rules.md): one section per rule, from the rule files."""
    from kmlint import ruledocs

    rules_loaded = _load_rules(rule_paths, not no_builtin_rules)
    if check:
        if not ruledocs.is_current(rules_loaded, output):
            click.echo(f"{output} is out of date; run: kmlint rules docs --output {output}")
            sys.exit(1)
        click.echo(f"{output} is up to date.")
        return
    if output == "-":
        click.echo(ruledocs.render(rules_loaded), nl=False)
        return
    ruledocs.write(rules_loaded, output)
    click.echo(f"Wrote {len(rules_loaded)} rules to {output}.")


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI: KmlintError becomes one line on stderr and exit 2; no traceback reaches the user."""
    # A file name with undecodable bytes (held as surrogates) or a character the terminal's
    # encoding lacks must not stop the report: such characters are written as backslash escapes.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="kmlint", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.exceptions.Abort:
        click.echo("kmlint: aborted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        # One line, like every other error (click's own shows usage lines first).
        click.echo(f"kmlint: error: {error.format_message()} (see 'kmlint --help')", err=True)
        sys.exit(2)
    except KmlintError as error:
        click.echo(f"kmlint: error: {error}", err=True)
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:  # a bug in kmlint: still one line, never a traceback
        if os.environ.get("KMLINT_DEBUG"):
            raise
        click.echo(f"kmlint: internal error: {type(error).__name__}: {error} (set KMLINT_DEBUG=1 for details)", err=True)
        sys.exit(2)
