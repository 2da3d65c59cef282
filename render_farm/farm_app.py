"""The farm's Celery application on a Redis broker.

Each message says "a task of this queue (cpu or gpu) is ready"; the worker that receives it
takes the first ready task of that queue from the job store (``render_farm.store``), which
orders them by job priority and keeps blocklisted workers away from a job. So a message lost,
doubled or delivered late does no harm: a message with nothing left to take is a no-op, and
workers publish a message for every ready task the broker lacks one for (``backlog``).

Messages are acknowledged after their task ran (``task_acks_late``) and requeued when a worker
dies (``task_reject_on_worker_lost``); a worker holds no message beyond the one it runs
(prefetch 1); and the broker waits ``VISIBILITY_TIMEOUT_S``, longer than the longest render,
before it redelivers an unacknowledged message. The job store, not that timeout, is what
brings a dead worker's task back within seconds (``JobStore.reclaim_lost``).
"""
from __future__ import annotations

import os

from celery import Celery
from kombu.exceptions import ChannelError, OperationalError

TAKE_TASK = "tryon.farm.take"  # the one Celery task: take and run the next task of a queue
QUEUES = ("cpu", "gpu")
DEFAULT_BROKER = "redis://localhost:6379/0"
VISIBILITY_TIMEOUT_S = 6 * 3600
PUBLISH_RETRY = {"max_retries": 20, "interval_start": 0.0, "interval_step": 0.5,
                 "interval_max": 2.0}  # rides out a broker restart of ~30 s


def broker_url(url: str | None = None) -> str:
    """``url``, else $TRYON_BROKER, else a Redis on this machine."""
    return url or os.environ.get("TRYON_BROKER") or DEFAULT_BROKER


def make_app(broker: str) -> Celery:
    """The farm's Celery app on ``broker`` (``redis://host:port/db``); results live in the job
    store, so it has no result backend."""
    app = Celery("tryon_farm", broker=broker, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT_S},
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        task_ignore_result=True,
        task_default_queue="cpu",
        worker_send_task_events=True,  # for Flower
        task_send_sent_event=True,
        worker_hijack_root_logger=False,
    )
    return app


def announce(app: Celery, queues: list[str]) -> None:
    """Publish one message per entry of ``queues`` (a queue name per ready task)."""
    if not queues:
        return
    with app.producer_or_acquire() as producer:
        for queue in queues:
            app.send_task(TAKE_TASK, args=[queue], queue=queue, producer=producer, retry=True,
                          retry_policy=PUBLISH_RETRY)


def backlog(app: Celery, queue: str) -> int:
    """Messages waiting in ``queue`` on the broker (not those a worker holds)."""
    with app.connection_for_write() as connection:
        try:
            return connection.default_channel.queue_declare(queue=queue, passive=True).message_count
        except ChannelError:  # Redis drops an empty queue's list
            return 0


BROKER_ERRORS = (OperationalError, ConnectionError, OSError)
