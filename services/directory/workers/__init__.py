"""The directory's background loops, one per module, started by bootstrap."""
