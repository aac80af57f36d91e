"""`warmlink simulate`: realistic regional traffic through the services' public HTTP APIs.

Pure parts (what a screen, a referral or a practice's day looks like) live in `answers`,
`handoffs` and `habits`; `api`, `region`, `sites`, `practices` and `runner` talk HTTP.
"""
