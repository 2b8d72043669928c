"""The JSON Schemas kmlint validates its inputs with (rule files, config, annotations), each compiled once, when first needed."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jsonschema


@lru_cache(maxsize=None)
def validator(name: str) -> jsonschema.protocols.Validator:
    """The validator for kmlint/schemas/`name` ("rules.schema.json", ...)."""
    import jsonschema  # here, not at the top: a run whose rules come from the start-up cache and has no config never needs it

    text = resources.files("kmlint.schemas").joinpath(name).read_text(encoding="utf-8")
    return jsonschema.Draft202012Validator(json.loads(text))
