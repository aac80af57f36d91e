"""The portal: the people's web pages. Signs people in and calls the other services' public APIs
on their behalf, with a token naming the person; it never reads another service's tables."""
