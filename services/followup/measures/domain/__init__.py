"""Pure measure computation: facts in, figures out. No I/O, no clock (callers pass `now`)."""
