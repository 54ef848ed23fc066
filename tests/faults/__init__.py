"""Fault injection: killed workers, a stopped broker, failing providers, hostile webhooks."""
