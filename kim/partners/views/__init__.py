"""Cooperation views, one module per concern (welfare agencies, talks, staffing decisions,
pass-through agreements)."""
