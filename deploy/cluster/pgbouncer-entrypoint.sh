#!/bin/sh
# The application login's password comes from the environment, never from the image.
set -eu
: "${APP_DATABASE_PASSWORD:?set APP_DATABASE_PASSWORD}"
umask 077
printf '"pharmatrace_app_login" "%s"\n' "$APP_DATABASE_PASSWORD" > /tmp/userlist.txt
exec pgbouncer /etc/pgbouncer/pgbouncer.ini
