"""Shared ground of every Nextal app: phone numbers, redirects, roles, admin and form pieces.

Imports nothing from the apps (import-linter keeps it so).
"""
