#!/bin/sh
# Run once by the postgres image when the `db` volume is created: lets the replica of the
# `replica` profile (docker-compose.yml) connect for streaming replication, with a password.
set -e
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
