"""The registry application: records accepted registry facts as domain events."""

from __future__ import annotations

from pedgrowth.kit.recording import RecordingApplication


class RegistryApplication(RecordingApplication):
    """Use cases of the registry service; one `on_<event name>` per contract event type."""

    name = "registry"
