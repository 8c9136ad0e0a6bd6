"""Small self-contained activities (the orientation smoke test)."""
