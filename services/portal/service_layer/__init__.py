"""Sign-in, sessions and people's administration, as plain async functions."""
