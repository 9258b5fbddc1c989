"""A real dispatcher process for the crash and PostgreSQL tests: ``run_forever`` with test timings.

Configured like the worker, from SPLITSHIP_* environment variables (database, SMTP relay). Prints
``ready`` once it is about to start, and on SIGTERM stops after its current round and prints its
totals as one JSON line. SIGKILL, of course, leaves no last words.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
from dataclasses import asdict
from datetime import timedelta

from splitship.bootstrap import bootstrap
from splitship.config import Settings
from splitship.entrypoints.worker import DispatchPolicy, DispatchStats, run_forever


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--lease-s", type=float, default=1.0)
    parser.add_argument("--batch-size", type=int, default=5)
    args = parser.parse_args()
    app = bootstrap(Settings(), upgrade=False)
    policy = DispatchPolicy(
        batch_size=args.batch_size,
        concurrency=args.concurrency,
        timeout_s=2,
        lease=timedelta(seconds=args.lease_s),
        backoff_base_s=0.05,
        backoff_cap_s=0.2,
        poll_interval_s=0.05,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    totals = DispatchStats()

    print("ready", flush=True)
    run_forever(app, stop, policy, on_round=totals.add)
    print(json.dumps(asdict(totals)), flush=True)
    app.dispose()


if __name__ == "__main__":
    main()
