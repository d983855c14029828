"""Following a service's own notification log into an in-process read model (one loop for every service)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import Notification

PAGE = 500


class LogFollower:
    """Reads what a service recorded since the last call, page by page, and hands each event to its handler.

    ``handlers`` maps a domain event's topic (``get_topic(Person.EmploymentStarted)``) to the
    function that applies it; only those topics are selected, so receipts, waiting facts and
    events nobody reads here are never decoded. The position moves past a notification only
    once its handler returned, so a handler that raises is called again on the next catch-up.
    A reader that needs ids only (no decoding) passes ``topics`` and iterates ``notifications()``.
    The follower holds its own lock: catch-ups from several threads apply each event once.
    """

    def __init__(self, app: Application, handlers: Mapping[str, Callable[[Any], object]],
                 topics: Sequence[str] | None = None, page_size: int = PAGE):
        self.app = app
        self.handlers = dict(handlers)
        self.topics: Sequence[str] = list(self.handlers if topics is None else topics)
        self.page_size = page_size
        self.position = 0
        self.lock = threading.RLock()

    def catch_up(self) -> int:
        """Apply every event of the followed topics recorded since the last catch-up; how many were applied."""
        applied = 0
        with self.lock:
            for notification in self.notifications():
                self.handlers[notification.topic](self.app.mapper.to_domain_event(notification))
                applied += 1
        return applied

    def notifications(self) -> Iterator[Notification]:
        """The followed topics' notifications after the position, up to the log's head when called.

        The position moves past a notification when the caller asks for the next one, and to the
        head once the last page is read (the topics it skipped are never read again).
        """
        with self.lock:
            head = self.app.recorder.max_notification_id() or 0
            while self.position < head and self.topics:  # (no topics would select them all)
                page = self.app.recorder.select_notifications(
                    self.position + 1, self.page_size, stop=head, topics=self.topics)
                for notification in page:
                    yield notification
                    self.position = notification.id
                if len(page) < self.page_size:
                    self.position = head
