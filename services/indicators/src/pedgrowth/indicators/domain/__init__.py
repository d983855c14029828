"""Indicators aggregates and their rules; only the standard library and eventsourcing."""
