"""Stage automations: rules per job stage (and company defaults), the texts they queue through
the outbox when a card enters a stage, and the Automations page of a job's board."""
