"""Keeping ClickSend's webhook token, a secret in the URL path, out of every log line.

ClickSend does not sign webhooks, so its URLs carry a secret token
(`/webhooks/clicksend/<token>/inbound/`). Nextal's own messages name the route instead of the
path; this filter also rewrites what Django logs about a request (`django.request`'s "Bad
Request: /path", the development server's access lines), and `GunicornLogger` does the same for
gunicorn's access log (`gunicorn --logger-class nextal.log_redaction.GunicornLogger`).
"""

from __future__ import annotations

import logging
import re

from gunicorn import glogging

WEBHOOK_TOKEN = re.compile(r"(/webhooks/clicksend/)[^/?#\s\"']+")
REDACTED = r"\1[token]"


def redact(value):
    return WEBHOOK_TOKEN.sub(REDACTED, value) if isinstance(value, str) else value


class RedactWebhookTokens(logging.Filter):
    """A handler filter: the token is replaced in the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: redact(arg) for key, arg in record.args.items()}
        return True


class GunicornLogger(glogging.Logger):
    """gunicorn's logger, with the token taken out of everything an access line can show (the
    request line, the path, headers such as Referer, the WSGI environ)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) for key, value in atoms.items()}
