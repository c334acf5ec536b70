# The image web, worker and the one-shot steps of docker-compose.yml run. Build: docker build -t moderation .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Install the package itself (not an editable checkout), then drop the sources: what runs is what pip installed.
COPY pyproject.toml README.md /src/
COPY classifier /src/classifier
COPY service /src/service
COPY worker /src/worker
# PyTorch from its CPU-only index first: PyPI's Linux wheel carries CUDA (gigabytes this image never uses).
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
    && pip install /src && rm -rf /src

# The seed set and word lists are data, not code: they live outside the package, so say where.
COPY data /app/data
ENV MODERATION_VAR_DIR=/data \
    MODERATION_SEED_PATH=/app/data/seed \
    MODERATION_HATE_SYMBOLS_PATH=/app/data/lexicons/hate_symbols.csv

# Never run as root: a fixed uid so volume ownership is predictable.
RUN useradd --uid 10001 --create-home --shell /usr/sbin/nologin moderation \
    && mkdir -p /data/models /data/datasets \
    && chown -R moderation:moderation /data
USER moderation
WORKDIR /data
VOLUME ["/data/models"]
EXPOSE 8000

CMD ["moderation", "web", "--host", "0.0.0.0", "--port", "8000"]
