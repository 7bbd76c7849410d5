"""What the fault tests run in separate processes, each against the throwaway servers named in its environment
(``DATABASE_URL``, ``REDIS_URL``), with tasks sent through Redis instead of run in-process:

    python -m tests.faults.scripts request     # ask for the 2017 NAP-2014 edition; prints "<id> <seconds>"
    python -m tests.faults.scripts sweep       # one run of the beat sweep; prints its counts as JSON
    python -m tests.faults.scripts writer N S  # N threads writing audit entries for S seconds; prints ACK lines
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from datetime import date


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "napportal.settings.test")
    import django

    django.setup()
    from napportal.celery import app

    app.conf.task_always_eager = False  # the test settings run tasks in-process; here they go to Redis


def request() -> None:
    _setup()
    from reporting import services
    from reporting.definitions import ReportParams

    started = time.monotonic()
    edition = services.edition_request(params=ReportParams("nap-2014", date(2017, 10, 1)))
    print(edition.pk, f"{time.monotonic() - started:.2f}", flush=True)


def sweep() -> None:
    _setup()
    from reporting.dispatch import editions_sweep

    print(json.dumps(editions_sweep()), flush=True)


def writer(threads: int, seconds: float) -> None:
    """Each thread writes audit entries (a real audited write path) one transaction at a time and prints
    ``ACK <token>`` only once its commit returned. A write that fails (the server restarting) is not retried
    under the same token: the test checks that nothing acknowledged is lost and nothing is written twice."""
    _setup()
    from django.db import InterfaceError, OperationalError, connection, transaction

    from tracker import audit

    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def work(number: int) -> None:
        i = 0
        try:
            while time.monotonic() < deadline:
                token = f"{number}-{i}"
                i += 1
                try:
                    with transaction.atomic():
                        audit.record(actor=None, action="fault.write", object_type="fault", object_id=token)
                except (OperationalError, InterfaceError):
                    connection.close()
                    time.sleep(0.05)
                    continue
                with lock:
                    print("ACK", token, flush=True)
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "request":
        request()
    elif command == "sweep":
        sweep()
    elif command == "writer":
        writer(int(sys.argv[2]), float(sys.argv[3]))
    else:
        raise SystemExit(f"unknown command {command}")
