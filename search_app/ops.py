"""Operations: /metrics in Prometheus format (prometheus-client) and a JSON-lines access log.

Metrics: requests and latency per endpoint (the URL rule, so the label set stays bounded), error responses, the
index version (build time, documents) and jobs per state. The registry belongs to the app, not to the module.
"""
from __future__ import annotations

import json
import logging
import sys
import time
from datetime import datetime, timezone

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

bp = Blueprint("ops", __name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class _StateCollector:
    """Scrape-time gauges: the open index's version and size, and jobs per state."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):
        from search_app.kb import served_kb

        kb = served_kb(self.app)
        built = GaugeMetricFamily("policykb_index_built_timestamp_seconds",
                                  "Build time of the index being served (Unix seconds)", labels=["embedder"])
        docs = GaugeMetricFamily("policykb_index_documents", "Documents in the index being served")
        if kb is not None:
            stamp = kb.manifest.get("built_at") or ""
            try:
                seconds = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()
            except ValueError:
                seconds = 0.0
            built.add_metric([str(kb.manifest.get("embedder", ""))], seconds)
            docs.add_metric([], float(kb.manifest.get("counts", {}).get("documents", 0)))
        yield built
        yield docs
        jobs = self.app.extensions.get("policykb_jobs")
        gauge = GaugeMetricFamily("policykb_jobs", "Upload/replace/delete jobs per state", labels=["state"])
        if jobs is not None:
            for state, n in jobs.counts().items():
                gauge.add_metric([state], float(n))
        yield gauge


def _endpoint() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else "(unmatched)"


def _access_logger(app: Flask) -> logging.Logger | None:
    """A logger writing one JSON object a line to Config.access_log ('-' stderr, '' none)."""
    target = app.config["POLICYKB"].access_log
    if not target:
        return None
    logger = logging.getLogger(f"policykb.access.{id(app)}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr) if target == "-" else logging.FileHandler(target, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    return logger


def init_ops(app: Flask) -> None:
    """Count and time every request, write the access log line, serve /metrics."""
    registry = CollectorRegistry()
    requests = Counter("policykb_http_requests", "HTTP requests by endpoint, method and status",
                       ["endpoint", "method", "status"], registry=registry)
    latency = Histogram("policykb_http_request_seconds", "Request latency by endpoint", ["endpoint"],
                        buckets=LATENCY_BUCKETS, registry=registry)
    errors = Counter("policykb_http_errors", "Error responses (status >= 400) by endpoint and status",
                     ["endpoint", "status"], registry=registry)
    registry.register(_StateCollector(app))
    app.extensions["policykb_metrics"] = registry
    log = _access_logger(app)

    @app.before_request
    def _start():
        g.policykb_t0 = time.perf_counter()

    @app.after_request
    def _observe(response):
        t0 = getattr(g, "policykb_t0", None)
        seconds = time.perf_counter() - t0 if t0 is not None else 0.0
        endpoint, status = _endpoint(), str(response.status_code)
        requests.labels(endpoint, request.method, status).inc()
        latency.labels(endpoint).observe(seconds)
        if response.status_code >= 400:
            errors.labels(endpoint, status).inc()
        if log is not None:
            from search_app.accounts import client_address, who

            log.info(json.dumps({
                "ts": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                "client": client_address(), "user": who(), "method": request.method, "path": request.path[:300],
                "query_chars": len(request.query_string), "endpoint": endpoint, "status": response.status_code,
                "bytes": response.calculate_content_length() if not response.is_streamed else None,
                "ms": round(seconds * 1000, 1),
            }, ensure_ascii=False))
        return response

    app.register_blueprint(bp)


@bp.get("/metrics")
def metrics():
    body = generate_latest(current_app.extensions["policykb_metrics"])
    return Response(body, content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
