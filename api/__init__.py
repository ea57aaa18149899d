"""Waymark: run a B2B sales process from plain YAML files."""

__version__ = "0.1.0"
