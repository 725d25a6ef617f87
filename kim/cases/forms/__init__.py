"""Case-management forms, one module per concern."""
