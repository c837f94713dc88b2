#!/usr/bin/env bash
# Starts the machine's PostgreSQL cluster if it is not accepting connections
# on 127.0.0.1:5432, and waits until it is.
set -euo pipefail

ready() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }

if ready; then
    exit 0
fi
if ! command -v pg_lsclusters >/dev/null; then
    echo "PostgreSQL is not running on 127.0.0.1:5432 and no local cluster is installed" >&2
    exit 1
fi
version=$(pg_lsclusters --no-header | awk 'NR == 1 { print $1 }')
if [ -z "$version" ]; then
    echo "PostgreSQL is not running on 127.0.0.1:5432 and pg_lsclusters lists no cluster" >&2
    exit 1
fi
echo "starting PostgreSQL $version" >&2
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 60); do
    if ready; then
        exit 0
    fi
    sleep 0.5
done
echo "PostgreSQL $version did not become ready on 127.0.0.1:5432" >&2
exit 1
