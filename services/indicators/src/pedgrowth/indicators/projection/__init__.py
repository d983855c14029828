"""The projection: all four services' events into the facts the indicators are computed from."""
