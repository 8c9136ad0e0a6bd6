"""The RQ worker with fewer writes to its own key: a refresh is skipped only while the key outlives what was asked,
a refresh asking for longer still goes through, and a state already written is not written again."""

from __future__ import annotations

from rq import Queue

from worker.rq_worker import HEARTBEAT_SLACK_SECONDS, LeanSimpleWorker


def _worker(redis_db) -> LeanSimpleWorker:  # type: ignore[no-untyped-def]
    worker = LeanSimpleWorker([Queue("execute", connection=redis_db)], connection=redis_db)
    worker.register_birth()
    return worker


def test_a_refresh_is_skipped_only_while_the_key_outlives_what_is_asked(redis_db):
    worker = _worker(redis_db)
    worker.heartbeat()
    first = redis_db.hget(worker.key, "last_heartbeat")
    ttl = redis_db.ttl(worker.key)
    assert ttl > worker.worker_ttl  # the full lifetime: worker_ttl + 60

    worker.heartbeat()  # moments later: the key still lives about as long as asked
    assert redis_db.hget(worker.key, "last_heartbeat") == first

    # A pipelined refresh (RQ's own, with a job's shorter lifetime) always goes through, and is remembered:
    with redis_db.pipeline() as pipeline:
        worker.heartbeat(30, pipeline=pipeline)
        pipeline.execute()
    assert redis_db.ttl(worker.key) <= 30
    worker.heartbeat()  # now the key would die sooner than asked: refreshed
    assert redis_db.ttl(worker.key) > worker.worker_ttl
    assert redis_db.hget(worker.key, "last_heartbeat") != first


def test_a_longer_lifetime_than_the_key_has_is_always_written(redis_db):
    worker = _worker(redis_db)
    worker.heartbeat(60)
    worker.heartbeat(60 + 2 * int(HEARTBEAT_SLACK_SECONDS))
    assert redis_db.ttl(worker.key) > 60


def test_a_state_already_written_is_not_written_again(redis_db):
    worker = _worker(redis_db)
    worker.set_state("idle")
    assert redis_db.hget(worker.key, "state") == b"idle"
    redis_db.hset(worker.key, "state", "marker")  # would be overwritten by a second write
    worker.set_state("idle")
    assert redis_db.hget(worker.key, "state") == b"marker"
    worker.set_state("busy")
    assert redis_db.hget(worker.key, "state") == b"busy"


def test_jobs_run_through_it_as_through_rqs_own(redis_db):
    queue = Queue("execute", connection=redis_db)
    jobs = [queue.enqueue("builtins.len", [1, 2, 3], result_ttl=600) for _ in range(5)]
    worker = LeanSimpleWorker([queue], connection=redis_db)
    assert worker.work(burst=True, logging_level="WARNING")
    assert [job.get_status(refresh=True) for job in jobs] == ["finished"] * 5
    assert [job.return_value() for job in jobs] == [3] * 5
