# HAProxy from Debian, in front of the API processes.
FROM debian:12.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends haproxy && rm -rf /var/lib/apt/lists/*
COPY haproxy.cfg /etc/haproxy/haproxy.cfg
USER haproxy
EXPOSE 3000
CMD ["haproxy", "-db", "-f", "/etc/haproxy/haproxy.cfg"]
