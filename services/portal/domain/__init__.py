"""The portal's rules: people, passwords and second factors, lockout, sessions. No I/O."""
