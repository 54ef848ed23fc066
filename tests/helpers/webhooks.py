"""Webhooks are stored first and processed by a task published after commit (in-process without
Redis). Inside a test's transaction nothing commits: `processed()` runs what would run then."""

from django.test import TestCase


def processed():
    """`with processed(): client.post(webhook...)`: the webhook's events are processed on exit."""
    return TestCase.captureOnCommitCallbacks(execute=True)
