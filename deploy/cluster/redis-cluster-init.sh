#!/bin/sh
# Makes the three Redis nodes one cluster, once: a node that already knows its slots is left as it is.
set -eu
for n in redis-1 redis-2 redis-3; do until redis-cli -h "$n" ping | grep -q PONG; do sleep 1; done; done
if redis-cli -h redis-1 cluster info | grep -q 'cluster_state:ok'; then exit 0; fi
ip() { getent hosts "$1" | cut -d' ' -f1; }
redis-cli --cluster create "$(ip redis-1):6379" "$(ip redis-2):6379" "$(ip redis-3):6379" --cluster-yes
