FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY reviewtool ./reviewtool
COPY screening ./screening
COPY extraction ./extraction
RUN pip install .
COPY . .
RUN SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.sqlite3 python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 app && mkdir -p /data/media && chown -R app /data /app
USER app

ENV MEDIA_ROOT=/data/media STATIC_ROOT=/app/var/staticfiles
EXPOSE 8000
CMD ["gunicorn", "reviewtool.wsgi:application"]
