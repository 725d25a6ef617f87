"""Read-side functions of case management, one module per concern."""
