"""The exercise scripts, as TOML data files (see docs/exercise-format.md)."""
