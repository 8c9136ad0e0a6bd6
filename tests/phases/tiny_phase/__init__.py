"""A test-only phase, added the way the README's "Adding a phase" says: two halves and one registration."""
