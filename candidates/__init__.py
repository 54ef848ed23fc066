"""Candidates, jobs, pipeline stages, applications and the candidate timeline."""
