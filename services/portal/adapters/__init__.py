"""PostgreSQL (people, sessions, sign-in events) and the network's HTTP APIs."""
