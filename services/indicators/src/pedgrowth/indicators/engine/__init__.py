"""The indicators engine: per-entity contributions as day intervals, summed per scope (SPEC §4.3)."""

from .engine import Changes, Engine, Loading, Numbers

__all__ = ["Changes", "Engine", "Loading", "Numbers"]
