#!/bin/bash
# wait_for_server PID URL NAME: wait up to 120 s for URL to answer while process PID (NAME) runs; exit 1 if it stops.
wait_for_server() {
    for _ in $(seq 120); do
        curl -fs "$2" >/dev/null 2>&1 && return 0
        kill -0 "$1" 2>/dev/null || { echo "error: $3 stopped (see above)" >&2; exit 1; }
        sleep 1
    done
}
