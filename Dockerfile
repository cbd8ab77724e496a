# budgetbot serve in a container: every front the config names, one knowledge base on a volume.
#   docker build -t budgetbot .
#   docker run -v budgetbot-data:/data -p 8080:8080 -e TELEGRAM_BOT_TOKEN=... budgetbot
# /data holds budget.db (load into it with `docker run ... budgetbot load --kb /data/budget.db /data/in`)
# and config.toml (config.example.toml documents it); secrets come from the environment.
FROM python:3.11-slim-bookworm
# a CJK font for the charts (SIL Open Font License)
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot bot
COPY knowledge knowledge
COPY loaders loaders
RUN pip install --no-cache-dir . && useradd --system --create-home --home-dir /data budgetbot
USER budgetbot
VOLUME /data
ENV BUDGETBOT_KB=/data/budget.db \
    BUDGETBOT_CONFIG=/data/config.toml \
    PYTHONUNBUFFERED=1
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=3)"
# docker stop sends SIGTERM: uvicorn stops taking requests and the lifespan stops Telegram
CMD ["budgetbot", "serve", "--host", "0.0.0.0", "--port", "8080"]
