"""The one error family: every problem kmlint reports is a single line naming where it is."""

from __future__ import annotations


class KmlintError(Exception):
    """A whole-run error (usage, config, rules): printed as one line, exit status 2."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        return where + self.message


class RuleError(KmlintError):
    """A rule file that cannot be loaded: bad YAML, schema violation, bad regex, duplicate id."""


class ConfigError(KmlintError):
    """A configuration file or option that cannot be used."""


class SourceError(KmlintError):
    """A single input file that cannot be read or decoded; the run goes on with the others."""


class AnnotationError(KmlintError):
    """An annotation file (`kmlint eval`) that cannot be used: bad YAML, a quote not on its page, a duplicate span."""
