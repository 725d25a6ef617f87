"""What steering contributes to the shell (docs/architecture.md § Floors): navigation, start
cards, demo step."""
