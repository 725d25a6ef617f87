"""Screening read-side queries."""
