"""The metrics endpoint: ``/metrics``, ``/healthz`` and ``/readyz`` on a small aiohttp server.

``greatwork serve`` starts one on ``metrics_host:metrics_port`` (127.0.0.1:9464 by default;
``metrics_enabled = false`` turns it off). ``/metrics`` is the Prometheus text exposition of
the server's :class:`~greatwork.metrics.Metrics` (the client's own aiohttp handler, which
negotiates the format and compresses); ``/healthz`` answers 200 while the process runs;
``/readyz`` answers 200 once the journal is open and every campaign started, and 503 with a
JSON reason otherwise (starting, a campaign stopped after repeated errors, shutting down).

The endpoint has no authentication: keep it on 127.0.0.1 or a private network, or put a
reverse proxy with authentication in front (docs/operator-guide.md, "Metrics").
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiohttp import web
from prometheus_client.aiohttp import make_aiohttp_handler

from greatwork.metrics import Metrics

__all__ = ["Exporter", "Readiness"]

log = logging.getLogger(__name__)

Readiness = Callable[[], "str | None"]
"""Why the service is not ready, or None when it is."""


class Exporter:
    """The HTTP server of the metrics and the health checks.

    Args:
        metrics: what ``/metrics`` serves.
        ready: why the service is not ready (``/readyz`` answers 503 with it), or None.
        host: the address to listen on.
        port: the port; 0 picks a free one (:attr:`port` says which).
    """

    def __init__(self, metrics: Metrics, ready: Readiness, *, host: str, port: int) -> None:
        self._metrics = metrics
        self._ready = ready
        self._host = host
        self._wanted = port
        self._port: int | None = None
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int | None:
        """The port it listens on, once started."""
        return self._port

    @property
    def url(self) -> str | None:
        """The address of ``/metrics``, once started."""
        if self._port is None:
            return None
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}/metrics"

    def app(self) -> web.Application:
        """The aiohttp application (its three routes)."""
        app = web.Application()
        app.router.add_get("/metrics", make_aiohttp_handler(self._metrics.registry))
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        return app

    async def start(self) -> None:
        """Listen; log the address (with the port chosen when ``port`` was 0).

        Raises:
            OSError: the address cannot be bound (in use, or not an address of this host).
        """
        if self._runner is not None:
            return
        runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._host, self._wanted)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        address = runner.addresses[0]
        self._port = int(address[1])
        log.info("metrics on %s", self.url)

    async def stop(self) -> None:
        """Stop listening. Idempotent."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _healthz(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _readyz(self, _request: web.Request) -> web.Response:
        try:
            reason = self._ready()
        except Exception as error:  # noqa: BLE001 (a readiness check that breaks means "not ready")
            reason = f"the readiness check failed: {type(error).__name__}: {error}"
        if reason is None:
            return web.json_response({"status": "ready"})
        return web.json_response({"status": "not ready", "reason": reason}, status=503)
