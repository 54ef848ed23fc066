"""`make bench` (`python -m bench`): Nextal's speed figures, each against a baseline measured in
the same run.

1. Inbound webhook ingestion: gunicorn on PostgreSQL, an asyncio client posting correctly signed
   Twilio inbound webhooks at a fixed concurrency; baseline: a trivial Django view (/health/) on
   the same server. Afterwards every webhook must be exactly one message.
2. Outbound pipeline: 2,000 queued messages sent by Celery workers on Redis to a local fake Twilio
   that answers after a fixed delay; ideal = worker concurrency / provider delay. The fake's own
   counters must show 0 duplicates and 0 lost.
3. Pages: inbox with 10,000 threads and 200,000 messages, a conversation with 2,000 messages, a
   kanban board with 1,000 applications: queries per page and median server time.
4. Bulk send: queueing one SMS for each of 5,000 candidates through the bulk service; baseline: a
   bare bulk_create of the same 5,000 message rows.
5. Reading replies: the opt-out / opt-in / HELP rules over the labelled corpus; baseline: the old
   whole-message keyword lookup.

Needs PostgreSQL and Redis on 127.0.0.1 (as in .ci/run). Uses its own database (nextal_bench, or
BENCH_DB_NAME) and Redis db 9 (or BENCH_REDIS_DB), prints a table and writes bench/results.json.
One module per benchmark; `bench.common` holds the environment, database and load helpers they
share. Bounded: well under 10 minutes.
"""
