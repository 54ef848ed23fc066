"""The outbox: every outbound SMS is a `Message` row saved as queued, then sent by a task.

- `queueing`: one message (checks, merge fields, the row, publishing after commit);
- `bulk`: one message per selected candidate, planned, then queued in one transaction;
- `publishing`: handing send tasks to the broker (never raises for a broker outage);
- `sending`: the send task's body (claim, provider call, outcome);
- `sweeper`: re-publishing lost tasks, dispatching scheduled messages and retries;
- `actions`: a recruiter's retry and cancel.
"""
