"""The mentoring application: records accepted mentoring facts as domain events."""

from __future__ import annotations

from pedgrowth.kit.recording import RecordingApplication


class MentoringApplication(RecordingApplication):
    """Use cases of the mentoring service; one `on_<event name>` per contract event type."""

    name = "mentoring"
