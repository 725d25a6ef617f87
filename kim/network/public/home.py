"""Shell contributions of the public (kim/core/shell.py)."""
