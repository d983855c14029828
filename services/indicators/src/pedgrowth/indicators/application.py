"""The indicators application: records accepted indicators facts as domain events."""

from __future__ import annotations

from pedgrowth.kit.recording import RecordingApplication


class IndicatorsApplication(RecordingApplication):
    """Use cases of the indicators service; one `on_<event name>` per contract event type."""

    name = "indicators"
