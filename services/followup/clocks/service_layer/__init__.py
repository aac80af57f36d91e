"""The clocks' service layer: the events that arm and settle clocks, and the commands that fire
clocks and complete tasks, each run inside its caller's transaction."""
