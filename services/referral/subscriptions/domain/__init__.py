"""The subscriptions' rules, without I/O: payload shapes, signatures, retry timing, the SSRF
rules a destination must pass, the settings' fields, and the part's refusals."""
