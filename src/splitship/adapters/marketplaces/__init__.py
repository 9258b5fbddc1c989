"""Readers of marketplace payloads and seller files, producing drafts for the services."""
