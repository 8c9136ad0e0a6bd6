#!/usr/bin/env bash
# Start a private Docker engine for the sandbox tests and build the sandbox image without a registry.
# Idempotent and fast when done: the engine is reused if it answers, the image is built only if missing or stale.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

SOCK_DIR=/run/cr-docker
SOCK="$SOCK_DIR/docker.sock"
DATA_ROOT=/var/lib/cr-docker
IMAGE="${CR_SANDBOX_IMAGE:-coderesidency-sandbox:bookworm}"
export DOCKER_HOST="unix://$SOCK"

apt_install docker.io mmdebstrap bubblewrap

if ! docker version >/dev/null 2>&1; then
  log "starting private dockerd on $SOCK"
  mkdir -p "$SOCK_DIR" "$DATA_ROOT" /run/cr-docker-exec
  # a dockerd that died leaves its pidfile behind and the next one refuses to start
  if [ -f /run/cr-docker.pid ] && ! kill -0 "$(cat /run/cr-docker.pid)" 2>/dev/null; then
    rm -f /run/cr-docker.pid
  fi
  nohup dockerd -H "$DOCKER_HOST" --data-root "$DATA_ROOT" --exec-root /run/cr-docker-exec \
    --pidfile /run/cr-docker.pid --bridge=none --iptables=false --ip-masq=false \
    >/var/log/cr-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker version >/dev/null 2>&1 && break
    sleep 1
  done
  docker version >/dev/null 2>&1 || { tail -20 /var/log/cr-dockerd.log >&2; log "dockerd did not start"; exit 1; }
fi

# Rebuilt when missing or made from another package list (the image's cr.rootfs label is that list's key).
want="$(bash "$ROOT/sandbox/build-rootfs-image.sh" --print-key)"
have="$(docker image inspect -f '{{index .Config.Labels "cr.rootfs"}}' "$IMAGE" 2>/dev/null || true)"
if [ "$have" != "$want" ]; then
  log "building $IMAGE from a Debian rootfs (mmdebstrap, no registry)"
  bash "$ROOT/sandbox/build-rootfs-image.sh" "$IMAGE"
fi
log "docker engine ready at $DOCKER_HOST with $IMAGE"
