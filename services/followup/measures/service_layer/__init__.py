"""The measures' service layer: event handlers that record facts; measures take no commands."""
