"""Programme views, one module per concern (positions, overview, allocation, cost)."""
