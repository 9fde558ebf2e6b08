# syntax=docker/dockerfile:1
# The Improvement Plan add-in's server: ofsted-tracker[server] under gunicorn, as a user that is not root.
#   docker build -t ofsted-tracker:0.1.0 .        (from a clone of this repository)
#   docker compose up -d                           (compose.yaml: settings from ofsted-tracker.env)
# Versions are pinned by deploy/constraints.txt (the ones the tests ran with). See docs/it.md.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY ofsted_tracker ./ofsted_tracker
COPY workbook ./workbook
COPY addin ./addin
COPY report_builder ./report_builder
COPY templates ./templates
RUN python -m pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
COPY deploy/constraints.txt /tmp/constraints.txt
COPY --from=build /wheels /wheels
RUN python -m venv /opt/venv \
    && set -- /wheels/ofsted_tracker-*.whl \
    && /opt/venv/bin/pip install --no-cache-dir --constraint /tmp/constraints.txt "$1[server]" \
    && rm -rf /wheels /tmp/constraints.txt \
    && useradd --system --uid 10001 --user-group --home-dir /srv/ofsted-tracker --create-home \
       --shell /usr/sbin/nologin ofsted
WORKDIR /srv/ofsted-tracker
USER ofsted
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"]
CMD ["gunicorn", "ofsted_tracker.addin.server.app:app", "--worker-class", "uvicorn_worker.UvicornWorker", "--bind", "0.0.0.0:8000", "--workers", "2", "--timeout", "120", "--graceful-timeout", "30"]
