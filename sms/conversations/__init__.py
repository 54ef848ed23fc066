"""Conversations with candidates: the component on the profile and the SMS inbox (queries,
the composer's form, context builders, views)."""
