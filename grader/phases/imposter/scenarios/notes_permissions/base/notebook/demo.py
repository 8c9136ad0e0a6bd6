"""Demo data for local development (the service never loads it in production)."""

DEMO_USERS = [
    {"name": "ana", "role": "editor"},
    {"name": "bo", "role": "viewer"},
    {"name": "root", "role": "admin", "password": "hunter2"},
]

DEMO_NOTES = [
    {"owner": "ana", "title": "Sprint plans", "body": "Ship sharing."},
    {"owner": "root", "title": "On-call rota", "body": "Week 12: ana."},
]
