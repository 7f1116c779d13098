# PgBouncer from Debian 13: 1.24, which keeps named prepared statements in transaction mode (max_prepared_statements,
# from 1.21). Debian 12's 1.18 cannot: with it, run the API with DATABASE_PREPARED_STATEMENTS unset (docs/scaling.md).
FROM debian:13.2-slim
RUN apt-get update && apt-get install -y --no-install-recommends pgbouncer && rm -rf /var/lib/apt/lists/*
COPY pgbouncer.ini /etc/pgbouncer/pgbouncer.ini
COPY pgbouncer-entrypoint.sh /usr/local/bin/pgbouncer-entrypoint.sh
USER postgres
EXPOSE 6432
ENTRYPOINT ["sh", "/usr/local/bin/pgbouncer-entrypoint.sh"]
