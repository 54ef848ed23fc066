"""Write `.env` for local development, generating SECRET_KEY and FIELD_ENCRYPTION_KEYS if missing.

Existing values are kept, so running it again never rotates keys out from under stored secrets.
"""

import secrets

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create or complete .env with generated development secrets."
    requires_system_checks = []  # runs before the secrets it checks exist

    def handle(self, *args, **options):
        path = settings.BASE_DIR / ".env"
        lines = path.read_text().splitlines() if path.exists() else []
        present = {line.split("=", 1)[0].strip() for line in lines if "=" in line}
        wanted = {
            "DEBUG": "true",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        }
        added = [f"{name}={value}" for name, value in wanted.items() if name not in present]
        if added:
            path.write_text("\n".join([*lines, *added]) + "\n")
            path.chmod(0o600)
            names = ", ".join(a.split("=", 1)[0] for a in added)
            self.stdout.write(f"Wrote {names} to {path}")
        else:
            self.stdout.write(f"{path} already complete")
