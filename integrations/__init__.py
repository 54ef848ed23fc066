"""Administration → Integrations: SMS provider settings, encrypted secrets, the audit trail."""
