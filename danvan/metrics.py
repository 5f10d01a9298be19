"""/metrics for Prometheus: who may read it, and the figures counted in the database when it is
read (the background work's queue and failures) beside django-prometheus's own (requests by
view, database statements).

The page is closed: it answers a request carrying ``Authorization: Bearer <DJANGO_METRICS_TOKEN>``
or coming from an address in ``DJANGO_METRICS_ALLOWED_ADDRESSES``, and anyone else gets the same
404 as a page that does not exist.
"""

import hmac
import ipaddress
import logging
import os

import prometheus_client
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError
from django.db.models import Case, Count, F, Min, When
from django.db.models.functions import Greatest
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily

from core.models import EmailDelivery, EmailStatus, JobStatus
from danvan.client_address import client_ip
from models_registry.models import ExportJob
from reports.models import ReportJob

logger = logging.getLogger(__name__)

JOB_KINDS = {"export": ExportJob, "report": ReportJob}
JOB_STATUSES = (JobStatus.PENDING, JobStatus.RUNNING, JobStatus.FAILED)
EMAIL_STATUSES = (EmailStatus.PENDING, EmailStatus.RETRYING, EmailStatus.FAILED)


def metrics_allowed(request) -> bool:
    """Whether ``request`` carries the metrics token or comes from an allowed address."""
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            offered.strip().encode(), token.encode()
        ):
            return True
    address = client_ip(request)
    if not address or not settings.METRICS_ALLOWED_ADDRESSES:
        return False
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(
        client in ipaddress.ip_network(network, strict=False)
        for network in settings.METRICS_ALLOWED_ADDRESSES
    )


@login_not_required
@never_cache
def metrics(request):
    """The Prometheus text format: this process's (or, with ``PROMETHEUS_MULTIPROC_DIR``, every
    gunicorn worker's) request and database figures, and the queue figures."""
    if not metrics_allowed(request):
        raise Http404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.REGISTRY
    queue = prometheus_client.CollectorRegistry(auto_describe=False)
    queue.register(QueueCollector())
    body = prometheus_client.generate_latest(registry) + prometheus_client.generate_latest(queue)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)


class QueueCollector:
    """The background work as the database holds it, counted when /metrics is read.

    Each figure is one indexed count: ready tasks come from django-tasks-db's partial index of
    ready rows, running and failed ones from ``danvan_task_results_unfinished`` (a core
    migration), e-mails from their status index; the job tables are small.
    """

    def collect(self):
        up = GaugeMetricFamily(
            "danvan_queue_metrics_up",
            "1 when the queue figures below could be read from the database, 0 when not.",
        )
        try:
            families = list(self.families())
        except DatabaseError:
            logger.warning("The queue figures could not be read for /metrics", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def families(self):
        now = timezone.now()
        depth = GaugeMetricFamily(
            "danvan_task_queue_depth",
            "Background tasks ready to run and waiting for a worker, by queue.",
            labels=["queue"],
        )
        oldest = GaugeMetricFamily(
            "danvan_task_queue_oldest_age_seconds",
            "How long the longest-waiting ready task has waited, by queue (0 when none waits).",
            labels=["queue"],
        )
        # A task scheduled for later starts waiting at its run_after, not when it was enqueued.
        waiting_since = Case(
            When(run_after=get_date_max(), then=F("enqueued_at")),
            default=Greatest("enqueued_at", "run_after"),
        )
        ready = {
            row["queue_name"]: row
            for row in DBTaskResult.objects.ready()
            .order_by()
            .values("queue_name")
            .annotate(count=Count("pk"), since=Min(waiting_since))
        }
        for queue in sorted(set(ready) | set(configured_queues())):
            row = ready.get(queue)
            depth.add_metric([queue], row["count"] if row else 0)
            age = (now - row["since"]).total_seconds() if row else 0
            oldest.add_metric([queue], max(age, 0))
        yield depth
        yield oldest

        by_status = dict(
            DBTaskResult.objects.filter(
                status__in=[TaskResultStatus.RUNNING, TaskResultStatus.FAILED]
            )
            .order_by()
            .values_list("status")
            .annotate(Count("pk"))
        )
        yield GaugeMetricFamily(
            "danvan_tasks_running",
            "Background tasks a worker has started and not finished.",
            value=by_status.get(TaskResultStatus.RUNNING, 0),
        )
        yield GaugeMetricFamily(
            "danvan_tasks_failed",
            "Background tasks that ended with an error (kept until their results are pruned).",
            value=by_status.get(TaskResultStatus.FAILED, 0),
        )

        jobs = GaugeMetricFamily(
            "danvan_background_jobs",
            "Exports and report files asked for by users, by kind and status "
            "(pending, running, failed).",
            labels=["kind", "status"],
        )
        for kind, model in JOB_KINDS.items():
            counts = dict(
                model.objects.filter(status__in=JOB_STATUSES)
                .order_by()
                .values_list("status")
                .annotate(Count("pk"))
            )
            for status in JOB_STATUSES:
                jobs.add_metric([kind, status], counts.get(status, 0))
        yield jobs

        emails = GaugeMetricFamily(
            "danvan_notification_emails",
            "Notification e-mails not yet sent, by status: pending, retrying, and failed for "
            "good after every attempt.",
            labels=["status"],
        )
        counts = dict(
            EmailDelivery.objects.filter(status__in=EMAIL_STATUSES)
            .order_by()
            .values_list("status")
            .annotate(Count("pk"))
        )
        for status in EMAIL_STATUSES:
            emails.add_metric([status], counts.get(status, 0))
        yield emails


def configured_queues() -> list[str]:
    """The task queues the settings name (``default`` unless told otherwise)."""
    queues = set()
    for backend in settings.TASKS.values():
        queues.update(backend.get("QUEUES") or ["default"])
    return sorted(queues)
