"""The follow-up service's model lives in its two parts, each with its own pure domain:
`clocks/domain` (the time rules of a warm handoff and the coordinator's tasks) and
`measures/domain` (the de-identified facts and the measures computed from them). Nothing is
shared between them: this package only marks where a shared rule would go."""
