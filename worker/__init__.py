"""Queued work: RQ queues (or the in-process stand-in), job functions, the reconciler, AGS passback.

Every job is keyed by a database row (submission, evaluation, passback). The row is written first; the
job only carries its id, claims the row atomically and records the outcome on it, so running a job twice
is harmless and a lost job can always be re-enqueued from the row.
"""
