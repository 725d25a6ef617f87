"""Cooperation views, one module per concern (welfare agencies, talks, staffing decisions)."""
