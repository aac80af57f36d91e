"""Adapters that translate external formats into the screening domain."""
