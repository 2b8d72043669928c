"""Configuration: discovery by walking up, pyproject tables, --config, command-line precedence, presets,
severity overrides, per-file ignores, exclude globs, and every config error as one line with file:line:col."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from workflow_fixtures import check_json, write_rules

from kmlint.config import Glob, find_config, load_config, resolve
from kmlint.ruleset import builtin_rules_dir, load_rules

PAGE = "Ketamine is safe and non-addictive. A breakthrough! Our cutting-edge clinic.\n"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A project folder with the test rules named by its config, and the cwd somewhere else."""
    root = tmp_path / "project"
    (root / "site" / "blog").mkdir(parents=True)
    write_rules(root)
    (root / "site" / "index.md").write_text(PAGE, encoding="utf-8")
    (root / "site" / "blog" / "post.md").write_text(PAGE, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return root


def write_config(folder: Path, text: str, name: str = ".kmlint.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# -- discovery -------------------------------------------------------------------------------------


def test_config_is_found_by_walking_up_from_the_linted_file(project, run_cli):
    write_config(project, "rules: [test-rules.yaml]\nselect: [TS202]\n")
    checked = check_json(run_cli, None, str(project / "site" / "blog" / "post.md"))
    assert checked.rules == ["TS202"]


def test_nearest_config_wins(project, run_cli):
    write_config(project, "rules: [test-rules.yaml]\nselect: [TS202]\n")
    write_config(project / "site", "rules: [../test-rules.yaml]\nselect: [TS201]\n")
    checked = check_json(run_cli, None, str(project / "site" / "blog" / "post.md"))
    assert checked.rules == ["TS201"]


def test_pyproject_table_is_a_config_and_one_without_it_is_skipped(project, run_cli):
    write_config(project, '[tool.kmlint]\nrules = ["test-rules.yaml"]\nselect = ["TS101"]\n', "pyproject.toml")
    write_config(project / "site", '[project]\nname = "site"\n', "pyproject.toml")
    checked = check_json(run_cli, None, str(project / "site" / "index.md"))
    assert checked.rules == ["TS101"]
    assert find_config(str(project / "site" / "index.md")) == str(project / "pyproject.toml")


def test_kmlint_yaml_beats_pyproject_in_the_same_folder(project):
    write_config(project, '[tool.kmlint]\nselect = ["TS101"]\n', "pyproject.toml")
    yaml_config = write_config(project, "select: [TS201]\n")
    assert find_config(str(project / "site")) == str(yaml_config)


def test_explicit_config_overrides_discovery(project, tmp_path, run_cli):
    write_config(project, "rules: [test-rules.yaml]\nselect: [TS202]\n")
    other = write_config(tmp_path, "rules: [project/test-rules.yaml]\nselect: [TS201]\n", "other.yaml")
    checked = check_json(run_cli, None, "--config", str(other), str(project / "site" / "index.md"))
    assert checked.rules == ["TS201"]
    toml = write_config(tmp_path, '[tool.kmlint]\nrules = ["project/test-rules.yaml"]\nselect = "TS101"\n', "pyproject.toml")
    checked = check_json(run_cli, None, "--config", str(toml), str(project / "site" / "index.md"))
    assert checked.rules == ["TS101"]


def test_no_config_means_every_rule_and_fail_on_warning(project, run_cli):
    checked = check_json(run_cli, project / "test-rules.yaml", str(project / "site" / "index.md"))
    assert checked.rules == ["TS101", "TS201", "TS202"]
    assert checked.status == 1


def test_an_empty_config_file_means_the_defaults(project, run_cli):
    write_config(project, "# nothing here yet\n")
    checked = check_json(run_cli, project / "test-rules.yaml", str(project / "site" / "index.md"))
    assert checked.rules == ["TS101", "TS201", "TS202"]


# -- precedence ------------------------------------------------------------------------------------


def test_command_line_select_replaces_config_select_and_ignore(project, run_cli):
    write_config(project, "rules: [test-rules.yaml]\nselect: [TS101]\nignore: [TS202]\n")
    checked = check_json(run_cli, None, "--select", "TS202", str(project / "site" / "index.md"))
    assert checked.rules == ["TS202"]


def test_command_line_ignore_adds_to_config_ignore(project, run_cli):
    write_config(project, "rules: [test-rules.yaml]\nignore: [TS202]\n")
    checked = check_json(run_cli, None, "--ignore", "TS201", str(project / "site" / "index.md"))
    assert checked.rules == ["TS101"]


def test_fail_on_from_config_and_command_line(project, run_cli):
    page = project / "info-only.md"
    page.write_text("Our cutting-edge clinic.\n", encoding="utf-8")
    write_config(project, "rules: [test-rules.yaml]\nfail-on: info\n")
    assert check_json(run_cli, None, str(page)).status == 1
    assert check_json(run_cli, None, "--fail-on", "warning", str(page)).status == 0


def test_rules_from_config_and_command_line_add_up(project, tmp_path, run_cli):
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        (project / "test-rules.yaml").read_text(encoding="utf-8").replace("TS", "XX").replace("name: ", "name: x-"),
        encoding="utf-8",
    )
    write_config(project, "rules: [test-rules.yaml]\nselect: [TS101]\n")
    checked = check_json(run_cli, None, "--rules", str(extra), "--select", "TS101,XX101", str(project / "site" / "index.md"))
    assert checked.rules == ["TS101", "XX101"]


# -- severity overrides and presets ------------------------------------------------------------------


def test_severity_overrides_by_id_name_and_category_later_entries_win(project, run_cli):
    write_config(project, "rules: [test-rules.yaml]\nseverity:\n  hype: error\n  cutting-edge: warning\n  TS101: info\n")
    checked = check_json(run_cli, None, str(project / "site" / "index.md"))
    assert {f["rule"]: f["severity"] for f in checked.findings} == {"TS101": "info", "TS201": "error", "TS202": "warning"}


def test_recommended_preset_leaves_out_info_rules(project, run_cli):
    write_config(project, "extends: recommended\nrules: [test-rules.yaml]\n")
    assert check_json(run_cli, None, str(project / "site" / "index.md")).rules == ["TS101", "TS201"]


def test_recommended_preset_keeps_an_info_rule_raised_to_warning(project, run_cli):
    write_config(project, "extends: recommended\nrules: [test-rules.yaml]\nseverity: {TS202: warning}\n")
    assert check_json(run_cli, None, str(project / "site" / "index.md")).rules == ["TS101", "TS201", "TS202"]


def test_strict_preset_checks_everything_and_fails_on_info(project, run_cli):
    page = project / "info-only.md"
    page.write_text("Our cutting-edge clinic.\n", encoding="utf-8")
    write_config(project, "extends: strict\nrules: [test-rules.yaml]\n")
    checked = check_json(run_cli, None, str(page))
    assert (checked.rules, checked.status) == (["TS202"], 1)


def test_extends_a_path_relative_to_the_config(project, run_cli):
    write_config(project, "rules: [test-rules.yaml]\nignore: [TS201]\nfail-on: never\n", "base.yaml")
    write_config(project / "site", "extends: ../base.yaml\nignore: [TS202]\n")
    checked = check_json(run_cli, None, str(project / "site" / "index.md"))
    # ignore replaces the inherited ignore; rules and fail-on are inherited
    assert (checked.rules, checked.status) == (["TS101", "TS201"], 0)


def test_shipped_presets_against_the_shipped_rules(project):
    # strict is every shipped rule (what no config at all selects), recommended those above info
    strict = resolve(load_config(str(write_config(project, "extends: strict\n")), "."))
    assert [rule.id for rule in strict.rules] == [rule.id for rule in load_rules([builtin_rules_dir()])]
    assert strict.fail_on == "info"
    recommended = resolve(load_config(str(write_config(project, "extends: recommended\n")), "."))
    assert [rule.id for rule in recommended.rules] == [rule.id for rule in strict.rules if rule.severity != "info"]
    assert recommended.fail_on == "warning"


# -- per-file ignores and exclude ---------------------------------------------------------------------


def test_per_file_ignores_apply_to_matching_paths_only(project, run_cli):
    write_config(project, 'rules: [test-rules.yaml]\nper-file-ignores:\n  "site/blog/*.md": [TS101, hype]\n')
    checked = check_json(run_cli, None, str(project / "site"))
    by_file = {(Path(f["path"]).name, f["rule"]) for f in checked.findings}
    assert by_file == {("index.md", "TS101"), ("index.md", "TS201"), ("index.md", "TS202")}


def test_exclude_globs_skip_folders_files_and_named_files(project, run_cli):
    (project / "site" / "drafts").mkdir()
    (project / "site" / "drafts" / "draft.md").write_text(PAGE, encoding="utf-8")
    (project / "site" / "legal.txt").write_text(PAGE, encoding="utf-8")
    write_config(project, "rules: [test-rules.yaml]\nexclude: [drafts, 'site/*.txt', site/blog/post.md]\n")
    checked = check_json(run_cli, None, str(project / "site"))
    assert {Path(f["path"]).name for f in checked.findings} == {"index.md"}
    # a file named on the command line is excluded too (pre-commit passes files one by one)
    named = check_json(run_cli, None, str(project / "site" / "drafts" / "draft.md"))
    assert (named.findings, named.status) == ([], 0)


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("drafts", "drafts/a.md", True),
        ("drafts", "site/drafts/deep/a.md", True),
        ("drafts", "site/drafts-old/a.md", False),
        ("*.txt", "site/a.txt", True),
        ("site/*.md", "site/a.md", True),
        ("site/*.md", "site/blog/a.md", False),
        ("site/**/*.md", "site/blog/deep/a.md", True),
        ("site/**/*.md", "site/a.md", True),
        ("**/blog", "x/y/blog/a.md", True),
        ("site/", "site/a.md", True),
        ("./site/a.md", "site/a.md", True),
        ("site/a?.md", "site/ab.md", True),
        ("site/[ab].md", "site/b.md", True),
        ("site/[!ab].md", "site/c.md", True),
        ("site/[!ab].md", "site/a.md", False),
        ("site/a.md", "other/site/a.md", False),
    ],
)
def test_glob_matching(tmp_path, pattern, path, matches):
    assert Glob(pattern, str(tmp_path)).matches(str(tmp_path / path)) is matches


# -- errors ---------------------------------------------------------------------------------------------

_ONE_LINE = re.compile(r"^kmlint: error: (?P<where>[^\n]+?): (?P<message>[^\n]+)\n$")


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("exclud: [drafts]\n", "2:1", "unknown key 'exclud'"),
        ("severity:\n  TS101: fatal\n", "3:10", "severity.TS101: 'fatal' is not one of error, warning, info"),
        ("fail-on: loud\n", "2:10", "fail-on: 'loud' is not one of error, warning, info, never"),
        ("min-severity: high\n", "2:15", "'high' is not one of error, warning, info"),
        ("select: [TS101, nope]\n", "2:17", "unknown rule, category or id prefix 'nope'"),
        ("ignore:\n  - ZZ9\n", "3:5", "unknown rule, category or id prefix 'ZZ9'"),
        ("severity:\n  nope: info\n", "3:3", "unknown rule, category or id prefix 'nope'"),
        ("per-file-ignores:\n  '*.md': TS101, nope\n", "3:11", "unknown rule, category or id prefix 'nope'"),
        ("extends: nothere\n", "2:10", "extends: unknown preset 'nothere'"),
        ("extends: ./missing.yaml\n", "2:10", "extends: no such config file './missing.yaml'"),
        ("extends: .kmlint.yaml\n", "2:10", "extends: '.kmlint.yaml' leads back to this file"),
        ("rules: [missing/]\n", "1:9", "rules: no such rule file or folder 'missing/'"),
        ("select: [TS101\n", "3:1", "invalid YAML"),
        ("select: [TS101]\nselect: [TS201]\n", "3:1", "duplicate key 'select' (first at line 2)"),
        ("ignore: 5\n", "2:9", "ignore: expected string, got int"),
        ("exclude: [7]\n", "2:11", "expected string, got int"),
        # issue 14: globs checked when the config is read, keys that are not text, nesting, extends
        ("exclude: ['[z-a]']\n", "2:11", "glob '[z-a]': character range z-a is reversed (write a-z)"),
        ("per-file-ignores:\n  'site/[9-0].md': TS101\n", "3:3", "glob 'site/[9-0].md': character range 9-0 is reversed (write 0-9)"),
        ("exclude: ['" + "a" * 1001 + "']\n", "2:11", "is longer than 1000 characters"),
        ("per-file-ignores:\n  1: TS101\n", "3:3", "key '1' is not text (YAML reads it as int); quote it"),
        ("severity:\n  no: info\n", "3:3", "key 'no' is not text (YAML reads it as bool); quote it"),
        ("select: " + "[" * 100 + "]" * 100 + "\n", "2:72", "YAML nested more than 64 levels deep"),
        ("select: [TS101]\x07\n", "2:16", "invalid YAML: character U+0007 is not allowed"),
        ("extends: ./site\n", "2:10", "extends: './site': config file is a folder"),
        ("extends: /dev/zero\n", "2:10", "extends: '/dev/zero': config file is not a regular file (a device)"),
        ("extends: " + "a" * 5000 + "\n", "2:10", "extends: unknown preset 'aaaa"),
    ],
)
def test_config_errors_are_one_line_with_file_line_and_column(project, run_cli, text, where, message):
    # line 1 names the test rules, so the error's line is that of the text after it
    body = text if text.startswith("rules:") else "rules: [test-rules.yaml]\n" + text
    write_config(project, body)
    result = run_cli("check", "--no-builtin-rules", str(project / "site" / "index.md"))
    assert result.status == 2
    assert result.out == ""
    line = _ONE_LINE.match(result.err)
    assert line is not None, result.err
    assert line.group("where") == f"{project / '.kmlint.yaml'}:{where}"
    assert message in line.group("message")


def test_config_error_path_is_relative_when_the_config_is_below_the_cwd(project, run_cli, monkeypatch):
    monkeypatch.chdir(project)
    write_config(project, "exclud: [drafts]\n")
    result = run_cli("check", "site")
    assert (result.status, result.err) == (2, "kmlint: error: .kmlint.yaml:1:1: unknown key 'exclud'\n")


def test_top_level_must_be_a_mapping(project, run_cli):
    write_config(project, "- TS101\n")
    result = run_cli("check", str(project / "site"))
    assert result.status == 2
    assert result.err == f"kmlint: error: {project / '.kmlint.yaml'}:1:1: expected object, got list\n"


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ('[project]\nname = "x"\n\n[tool.kmlint]\nselect = ["TS101"]\nfail-on = "loud"\n', "6:1", "fail-on: 'loud' is not one of"),
        ('[tool.kmlint]\nsevrity = "x"\n', "2:1", "unknown key 'sevrity'"),
        ('[tool.kmlint]\n[tool.kmlint.severity]\nTS101 = "info"\nTS202 = "bad"\n', "4:1", "severity.TS202: 'bad' is not one of"),
        ('[tool.kmlint]\nseverity = { TS101 = "info", TS202 = "bad" }\n', "2:30", "severity.TS202: 'bad'"),
        ('[tool.kmlint]\nselect = ["TS101"]\nignore = [\n', None, "invalid TOML"),
        ("[tool.kmlint]\nselect 'TS101'\n", "2:8", "invalid TOML"),
        ('[tool.kmlint]\nselect = ["nope"]\n', "2:1", "unknown rule, category or id prefix 'nope'"),
    ],
)
def test_pyproject_errors_name_the_line(project, run_cli, text, where, message):
    config = write_config(project, text, "pyproject.toml")
    result = run_cli("check", "--config", str(config), "--no-builtin-rules", "--rules", str(project / "test-rules.yaml"), str(project / "site"))
    assert result.status == 2
    line = _ONE_LINE.match(result.err)
    assert line is not None, result.err
    assert line.group("where") == (f"{config}:{where}" if where else str(config))
    assert message in line.group("message")


def test_missing_explicit_config_is_an_error(project, run_cli):
    result = run_cli("check", "--config", "nowhere.yaml", str(project))
    assert (result.status, result.err) == (2, "kmlint: error: nowhere.yaml: no such config file\n")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
@pytest.mark.parametrize(
    ("option", "message"),
    [("--config", "config file is not a regular file (a device)"), ("--rules", "not a rule file or folder (a device)")],
)
def test_a_device_as_config_or_rules_is_never_read(project, run_cli, option, message):
    # Read to the end, /dev/zero would fill the memory: it is refused by its kind, and said so.
    result = run_cli("check", option, "/dev/zero", str(project))
    assert (result.status, result.err) == (2, f"kmlint: error: /dev/zero: {message}\n")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_extends_naming_a_named_pipe_says_so(project, run_cli):
    # It was "no such config file" (issue 14); opened for reading, a pipe would wait for a writer.
    os.mkfifo(project / "pipe.yaml")
    write_config(project, "extends: ./pipe.yaml\n")
    result = run_cli("check", str(project / "site"))
    message = "extends: './pipe.yaml': config file is not a regular file (a named pipe)"
    assert (result.status, result.err) == (2, f"kmlint: error: {project / '.kmlint.yaml'}:1:10: {message}\n")


def test_a_long_extends_chain_is_named_as_such(project, run_cli):
    # It was "invalid YAML: nested too deeply" (issue 14): the chain is read in a loop, and stops at 32 files.
    for number in range(40):
        write_config(project, f"extends: ./c{number + 1}.yaml\n", f"c{number}.yaml")
    write_config(project, "rules: [test-rules.yaml]\n", "c40.yaml")
    result = run_cli("check", "--config", str(project / "c0.yaml"), str(project / "site"))
    assert (result.status, result.err) == (2, f"kmlint: error: {project / 'c31.yaml'}:1:10: extends: more than 32 config files in one chain\n")
    write_config(project, "extends: ./c40.yaml\n", "c30.yaml")  # 31 files: fine
    assert run_cli("check", "--no-builtin-rules", "--config", str(project / "c0.yaml"), str(project / "site")).status == 1


def test_a_config_file_over_its_size_limit_says_by_how_much(project, run_cli):
    from kmlint.config import MAX_CONFIG_BYTES

    config = write_config(project, "#" * MAX_CONFIG_BYTES + "\n")
    result = run_cli("check", "--config", str(config), str(project / "site"))
    expected = f"config file is too large ({MAX_CONFIG_BYTES + 1:,} bytes; the limit is 1 MiB = {MAX_CONFIG_BYTES:,} bytes)"
    assert (result.status, result.err) == (2, f"kmlint: error: {config}: {expected}\n")


def test_a_config_that_is_not_utf8_names_the_line(project, run_cli):
    (project / ".kmlint.yaml").write_bytes(b"rules: [test-rules.yaml]\n# caf\xe9\n")
    result = run_cli("check", str(project / "site"))
    assert (result.status, result.err) == (2, f"kmlint: error: {project / '.kmlint.yaml'}:2: config file is not UTF-8 text\n")
