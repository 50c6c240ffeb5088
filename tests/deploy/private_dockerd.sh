# Sourced by the deploy tests: a Docker daemon of the test's own, never the
# machine's (/var/run/docker.sock is left alone).
#
# use_private_dockerd STATE_DIR
#   With DOCKER_HOST already set and answering, uses that daemon. Otherwise
#   starts dockerd (vfs storage, no iptables, no bridge: it runs beside any
#   other daemon) with its data under STATE_DIR, so images survive between
#   runs, and stops it (that pid only) when the calling shell exits.
#   Returns 77 (ctest's "skipped") when docker or dockerd is missing or the
#   caller is not root.
use_private_dockerd() {
    state=$1
    command -v docker >/dev/null 2>&1 || { echo "SKIP: no docker command"; return 77; }
    if [ -n "${DOCKER_HOST:-}" ] && docker info >/dev/null 2>&1; then return 0; fi
    command -v dockerd >/dev/null 2>&1 || { echo "SKIP: no dockerd (apt-get install docker.io)"; return 77; }
    [ "$(id -u)" = 0 ] || { echo "SKIP: starting a private dockerd needs root"; return 77; }
    mkdir -p "$state"
    export DOCKER_HOST="unix://$state/docker.sock"
    if docker info >/dev/null 2>&1; then return 0; fi # an earlier run's daemon still serves this state dir
    dockerd --data-root "$state/data" --exec-root "$state/exec" -H "$DOCKER_HOST" --pidfile "$state/pid" \
        --storage-driver vfs --iptables=false --ip-masq=false --bridge=none >"$state/dockerd.log" 2>&1 &
    private_dockerd_pid=$!
    trap 'kill "$private_dockerd_pid" 2>/dev/null; wait "$private_dockerd_pid" 2>/dev/null' EXIT
    i=0
    until docker info >/dev/null 2>&1; do
        i=$((i + 1))
        if [ "$i" -gt 60 ]; then echo "dockerd did not start; its log:"; tail -20 "$state/dockerd.log"; return 1; fi
        sleep 0.5
    done
}

# ensure_debian_base: makes debian:bookworm-slim locally when it is missing
# (no registry is reachable from CI): a debootstrap minbase bookworm root,
# the cached one of scripts/real/rootfs.sh when present, imported as is.
ensure_debian_base() {
    src=$1
    docker image inspect debian:bookworm-slim >/dev/null 2>&1 && return 0
    rootfs=""
    if [ -x "$src/scripts/real/rootfs.sh" ]; then rootfs=$("$src/scripts/real/rootfs.sh" 2>/dev/null | tail -n 1) || rootfs=""; fi
    if [ -n "$rootfs" ] && [ -d "$rootfs" ]; then
        tar -C "$rootfs" -c . | docker import -c 'CMD ["bash"]' - debian:bookworm-slim >/dev/null
        return 0
    fi
    command -v debootstrap >/dev/null 2>&1 || { echo "SKIP: no debian:bookworm-slim image and no debootstrap"; return 77; }
    tmp=$(mktemp -d)
    debootstrap --variant=minbase bookworm "$tmp" http://deb.debian.org/debian >/dev/null
    tar -C "$tmp" -c . | docker import -c 'CMD ["bash"]' - debian:bookworm-slim >/dev/null
    rm -rf "$tmp"
}
