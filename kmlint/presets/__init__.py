"""Bundled configuration presets, named in a config's `extends` (strict.yaml, recommended.yaml)."""
