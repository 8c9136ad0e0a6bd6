"""A test-only phase whose scenarios are offered as a pool, with defaults of its own for some options."""
