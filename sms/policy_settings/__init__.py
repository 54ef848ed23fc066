"""Administration → SMS Settings: quiet hours, the bulk frequency cap, the consent policy and
the automatic replies (opt-out confirmation, HELP), audited; and the consent ledger export."""
