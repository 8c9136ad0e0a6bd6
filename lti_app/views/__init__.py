"""Student and instructor pages and their JSON API."""
