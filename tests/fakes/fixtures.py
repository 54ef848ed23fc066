"""pytest fixtures for the fake provider server (loaded by tests/conftest.py)."""
