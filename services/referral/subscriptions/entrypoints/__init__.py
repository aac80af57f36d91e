"""The subscriptions' edges: the routes, their schemas, and the separate delivery process."""
