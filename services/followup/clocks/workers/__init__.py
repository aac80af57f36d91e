"""The clocks' background loop: the scheduler that fires due clocks."""
