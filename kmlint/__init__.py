"""kmlint: a content-compliance linter for ketamine-clinic marketing copy."""

__version__ = "0.1.0"
