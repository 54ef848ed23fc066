"""What providers tell us: inbound replies and delivery statuses, through their webhooks.

- `views`: the webhook endpoints (authenticity, parsing by the provider's adapter, answers);
- `ingest`: storing an inbound message once, in the right thread;
- `statuses`: applying a delivery status to its message, only forward;
- `keywords`: which replies opt a number out or back in.
"""
