"""The command line: `kmlint check` and `kmlint rules ...`; options in, exit status out, errors as one line."""

from __future__ import annotations

import os
import sys
from typing import Sequence

import click

from kmlint import __version__
from kmlint.errors import KmlintError

FAIL_ON = ("error", "warning", "info", "never")


def _load_rules(rule_paths: Sequence[str], builtin: bool):
    from kmlint.ruleset import builtin_rules_dir, load_rules

    paths = ([str(builtin_rules_dir())] if builtin else []) + list(rule_paths)
    return load_rules(paths)


def _use_color(choice: str, stream) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kmlint")
def cli() -> None:
    """kmlint: find risky claims in ketamine-clinic marketing copy (HTML, Markdown, text)."""


@cli.command()
@click.argument("paths", nargs=-1)
@click.option("--format", "output_format", default=None, help="Output format: text (default) or json.")
@click.option("--select", multiple=True, help="Only these rules: ids, id prefixes, names or categories (comma-separated or repeated).")
@click.option("--ignore", multiple=True, help="Leave out these rules: ids, id prefixes, names or categories.")
@click.option("--rules", "rule_paths", multiple=True, help="Extra rule file or folder (repeatable).")
@click.option("--no-builtin-rules", is_flag=True, help="Do not load the rules shipped with kmlint.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="warning", show_default=True, help="Lowest severity that makes the exit status 1.")
@click.option("--stdin-filename", default=None, help="Name (and so file kind) for input read from '-'.")
@click.option("--color", type=click.Choice(("auto", "always", "never")), default="auto", show_default=True, help="Colour in text output.")
@click.option("--quiet", "-q", is_flag=True, help="Text output: one line per finding, no source or suggestion.")
@click.option("--statistics", is_flag=True, help="Text output: counts per rule before the summary.")
def check(paths, output_format, select, ignore, rule_paths, no_builtin_rules, fail_on, stdin_filename, color, quiet, statistics) -> None:
    """Check PATHS (files or folders; '-' for standard input; default '.')."""
    from kmlint.discover import discover
    from kmlint.engine import Linter
    from kmlint.reporters import REPORTERS, ReportContext, get_reporter
    from kmlint.runner import StdinInput, exit_status, lint_all, read_stdin, report
    from kmlint.selection import select_rules
    from kmlint.source import kind_for

    output_format = output_format or "text"
    if output_format not in REPORTERS:
        raise click.BadParameter(f"{output_format!r} is not one of {', '.join(REPORTERS)}", param_hint="--format")
    rules = select_rules(_load_rules(rule_paths, not no_builtin_rules), select, ignore)
    linter = Linter(rules)
    paths = list(paths) or ["."]

    def targets():
        for path in paths:
            if path == "-":
                name = stdin_filename or "-"
                yield StdinInput(name, kind_for(name) or "text", read_stdin())
            else:
                yield from discover([path])

    stream = click.get_text_stream("stdout")
    context = ReportContext(
        rules={rule.id: rule for rule in rules},
        color=_use_color(color, stream),
        quiet=quiet,
        statistics=statistics,
    )
    reporter = get_reporter(output_format)(stream, context)
    summary = report(lint_all(linter, targets()), reporter)
    stream.flush()
    sys.exit(exit_status(summary, fail_on))


@cli.group()
def rules() -> None:
    """List, show, validate and test rules."""


_rule_source_options = [
    click.option("--rules", "rule_paths", multiple=True, help="Extra rule file or folder (repeatable)."),
    click.option("--no-builtin-rules", is_flag=True, help="Do not load the rules shipped with kmlint."),
]


def _with_rule_sources(function):
    for option in reversed(_rule_source_options):
        function = option(function)
    return function


@rules.command("list")
@_with_rule_sources
def rules_list(rule_paths, no_builtin_rules) -> None:
    """One line per rule: id, name, category, severity, kind."""
    for rule in _load_rules(rule_paths, not no_builtin_rules):
        click.echo(f"{rule.id:7} {rule.name:40} {rule.category:26} {rule.severity:8} {rule.kind}")


@rules.command("show")
@click.argument("rule_id")
@_with_rule_sources
def rules_show(rule_id, rule_paths, no_builtin_rules) -> None:
    """Everything about one rule: message, rationale, references and examples."""
    from kmlint.selection import selector_matches

    found = [r for r in _load_rules(rule_paths, not no_builtin_rules) if r.id == rule_id.upper() or selector_matches(r, rule_id) and rule_id in (r.name, *r.replaces)]
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
def rules_validate(paths) -> None:
    """Check rule files against the schema (and compile their patterns); exit 2 on the first error."""
    from kmlint.ruleset import load_rules

    loaded = load_rules(paths)
    click.echo(f"{len(loaded)} rule{'s' if len(loaded) != 1 else ''} valid.")


@rules.command("test")
@click.argument("paths", nargs=-1)
def rules_test(paths) -> None:
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


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI: KmlintError becomes one line on stderr and exit 2; no traceback reaches the user."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="kmlint", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.exceptions.Abort:
        click.echo("kmlint: aborted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
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
