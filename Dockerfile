# The game server as a container, for the operator stack in docker-compose.yml.
#   docker build -t greatwork:local .
#   docker run --rm -e DISCORD_TOKEN=... -v greatwork-data:/data greatwork:local
# The journal lives in the /data volume. Metrics listen on 0.0.0.0:9464 *inside* the container
# (so Prometheus on the compose network can scrape them); publish that port on the host only
# behind a firewall or on 127.0.0.1 (docs/operator-guide.md, "Dashboards and alerts").
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY greatwork ./greatwork
RUN pip install . \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin greatwork \
 && mkdir -p /data \
 && chown greatwork:greatwork /data

ENV GREATWORK_DB_PATH=/data/greatwork.db \
    GREATWORK_METRICS_HOST=0.0.0.0 \
    GREATWORK_METRICS_PORT=9464

USER greatwork
WORKDIR /data
VOLUME ["/data"]
EXPOSE 9464

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9464/healthz', timeout=4)"]

# SIGTERM (docker stop) stops it cleanly: the journal is flushed and closed.
STOPSIGNAL SIGTERM
CMD ["greatwork", "serve"]
