"""A candidate's SMS consent on the profile: its state and history from the ledger, recording
consent or a spoken opt-out, and the CSV exports (one candidate's number, the whole ledger)."""
