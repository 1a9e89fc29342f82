# envmon image: the service with its maps' front-end packages (served locally, no CDN).
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN useradd --system --uid 10001 --home-dir /app envmon && mkdir /data && chown envmon /data
COPY pyproject.toml constraints.txt README.md LICENSE ./
COPY stations ./stations
COPY geodata ./geodata
COPY maps ./maps
COPY service ./service
COPY --from=assets /app/node_modules ./node_modules
# Editable install keeps the project root (and node_modules) where maps.assets looks for them.
RUN pip install -c constraints.txt -e . && find /app -name __pycache__ -prune -exec rm -rf {} +
USER envmon
ENV ENVMON_DATA_DIR=/data
EXPOSE 8000
CMD ["envmon", "serve", "--host", "0.0.0.0", "--port", "8000"]
