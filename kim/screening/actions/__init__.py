"""Screening actions (state changes with their audit events)."""
