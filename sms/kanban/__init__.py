"""Send SMS from a job's kanban board: one card, or every selected card (preview, send,
progress)."""
