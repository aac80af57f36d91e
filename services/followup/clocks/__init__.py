"""Clocks: business-day SLA deadlines, setting gates and the coordinator tasks they create."""
