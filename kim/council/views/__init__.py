"""Council views, one module per concern (motions, council records, the OParl API)."""
