"""Screening forms."""
