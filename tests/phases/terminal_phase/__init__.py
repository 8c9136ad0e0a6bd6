"""A test-only phase with a terminal (the RunsCommands capability), registered by its tests."""
