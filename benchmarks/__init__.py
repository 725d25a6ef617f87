"""Benchmarks for the KIM-Plattform (``make bench``); see ``benchmarks/README.md``."""
