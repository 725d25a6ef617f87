"""Shell contributions of the interpreters (kim/core/shell.py)."""
