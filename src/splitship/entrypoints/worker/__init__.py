"""The notification worker: delivers outbox events as webhooks and buyer e-mails.

``splitship worker`` runs it as its own process; ``splitship serve`` starts it as a thread when
``SPLITSHIP_DISPATCH_IN_PROCESS`` is on. See docs/notifications.md.
"""

from splitship.entrypoints.worker.dispatcher import (
    Dispatcher,
    DispatchPolicy,
    DispatchStats,
    InProcessDispatcher,
    run_forever,
    run_once,
    start_in_process,
)

__all__ = [
    "DispatchPolicy",
    "DispatchStats",
    "Dispatcher",
    "InProcessDispatcher",
    "run_forever",
    "run_once",
    "start_in_process",
]
