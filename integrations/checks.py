"""System check: stored provider secrets must decrypt with the configured keys.

Tagged `database`, as Django asks of checks that query: it runs with `manage.py check --database
default` and before `migrate`. The Integrations page shows the same problem on the card.
"""

from django.core import checks
from django.db import DatabaseError


@checks.register(checks.Tags.security, checks.Tags.database)
def check_secrets_decrypt(app_configs=None, databases=None, **kwargs):
    from integrations.models import Integration

    if not databases:
        return []
    try:
        broken = [i for i in Integration.objects.exclude(secret="") if i.secret_undecryptable]
    except DatabaseError:
        return []  # not migrated yet; migrate itself runs checks first
    return [
        checks.Error(
            f"The stored {integration} secret cannot be decrypted with FIELD_ENCRYPTION_KEYS.",
            hint="Add the key it was encrypted with to FIELD_ENCRYPTION_KEYS, or re-enter the "
            "secret under Administration → Integrations.",
            obj=integration,
            id="integrations.E001",
        )
        for integration in broken
    ]
