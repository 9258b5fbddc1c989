"""``splitship worker``: deliver the outbox as webhooks and buyer e-mails (docs/notifications.md).

Run as many workers as you like against one PostgreSQL database; they share the work. On SQLite,
one worker (or the server's own dispatcher thread) is enough.
"""

import logging
import signal
import threading
from datetime import timedelta
from typing import Annotated

import typer
from rich.text import Text

from splitship.entrypoints.cli.common import DatabaseUrl, err, guarded, opened, out
from splitship.entrypoints.worker import Dispatcher, DispatchPolicy, DispatchStats, run_forever


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)


def _summary(stats: DispatchStats) -> str:
    return (
        f"{stats.events} event(s) fanned out; {stats.delivered} delivered, "
        f"{stats.retried} to retry, {stats.failed} failed"
        + (f", {stats.endpoints_disabled} endpoint(s) disabled" if stats.endpoints_disabled else "")
        + (
            f"; forgot {stats.pruned_events} old event(s) and {stats.pruned_deliveries} finished "
            "message(s)"
            if stats.pruned_events or stats.pruned_deliveries
            else ""
        )
    )


@guarded
def worker(
    once: Annotated[
        bool, typer.Option("--once", help="Deliver what is due now, then exit (for cron)")
    ] = False,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, max=64, help="Messages in flight at once")
    ] = 4,
    retention_days: Annotated[
        int,
        typer.Option(
            "--retention-days",
            min=0,
            max=3650,
            help="Forget dispatched events and delivered or failed messages older than this "
            "(0 keeps everything)",
        ),
    ] = 30,
    database_url: DatabaseUrl = None,
) -> None:
    """Deliver notifications until stopped (Ctrl+C or SIGTERM finish the current round first)."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("splitship").setLevel(logging.INFO)  # failures and disabled endpoints
    policy = DispatchPolicy(
        concurrency=concurrency,
        retention=timedelta(days=retention_days) if retention_days else None,
    )
    with opened(database_url) as app:
        if once:
            total = DispatchStats()
            with Dispatcher(app, policy) as dispatcher:
                # Until nothing is due: one round takes a bounded batch.
                while True:
                    stats = dispatcher.run_once()
                    total.add(stats)
                    if stats.idle:
                        break
            out().print(Text(_summary(total)))
            return
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        err().print(Text(f"Delivering notifications with {concurrency} in flight; Ctrl+C stops."))

        def report(stats: DispatchStats) -> None:
            if not stats.idle:
                err().print(Text(_summary(stats)))

        run_forever(app, stop, policy, on_round=report)
