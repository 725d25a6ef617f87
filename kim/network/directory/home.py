"""Shell contributions of the directory (kim/core/shell.py)."""
