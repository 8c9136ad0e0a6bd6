# The web and worker image. Student code never runs here: the worker starts sandbox containers
# (see sandbox/) through the Docker engine it is given.

# The browser libraries (frontend/package-lock.json), bundled by esbuild; only the bundle reaches the image.
FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/*.js ./
RUN npm run build

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CR_DATA_DIR=/var/lib/coderesidency FLASK_APP="lti_app:create_app()"

# git: the Imposter generates each attempt's repository with the git CLI (web and worker alike).
RUN apt-get update && apt-get install -y --no-install-recommends git \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --home-dir /app --uid 10001 app \
 && mkdir -p /var/lib/coderesidency && chown app /var/lib/coderesidency
WORKDIR /app

COPY pyproject.toml ./
COPY config ./config
COPY devlms ./devlms
COPY grader ./grader
COPY lti_app ./lti_app
COPY --from=frontend /src/lti_app/workbench/static/vendor ./lti_app/workbench/static/vendor
COPY worker ./worker
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
COPY gunicorn.conf.py ./
RUN pip install --no-cache-dir .

USER app
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
# gunicorn.conf.py: the access log shortens launch ids (credentials in URLs), see lti_app/logs.py.
CMD ["gunicorn", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000", "--workers", "2", "--threads", "4", "--worker-class", "gthread", \
     "--forwarded-allow-ips", "*", "--access-logfile", "-", "lti_app.wsgi:app"]
