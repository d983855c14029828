"""The indicators engine: per-entity contributions as day intervals, summed per scope (SPEC §4.3)."""

from .engine import Engine, Numbers

__all__ = ["Engine", "Numbers"]
