#!/usr/bin/env bash
# Registry-free sandbox image: a minimal Debian rootfs from mmdebstrap, imported with `docker import`.
#   sandbox/build-rootfs-image.sh [IMAGE]     (needs root, mmdebstrap, a Debian mirror and a docker engine)
#   sandbox/build-rootfs-image.sh --print-key (the key of the current package list; the image carries it as the
#                                              label cr.rootfs, so setup scripts rebuild an image that is stale)
# The rootfs tarball is cached in $CR_SANDBOX_CACHE (default /var/cache/cr-sandbox) keyed by the package
# list, so a machine that keeps the cache re-imports without downloading anything.
set -euo pipefail
PRINT_KEY=""
if [ "${1:-}" = "--print-key" ]; then PRINT_KEY=1; shift; fi
IMAGE="${1:-coderesidency-sandbox:bookworm}"
SUITE="${CR_SANDBOX_SUITE:-bookworm}"
MIRROR="${CR_SANDBOX_MIRROR:-http://deb.debian.org/debian}"
CACHE="${CR_SANDBOX_CACHE:-/var/cache/cr-sandbox}"
# The runtimes, and what the workbench terminal's commands use (bash, curl, git, ps, sqlite3).
PACKAGES="python3-minimal,python3,nodejs,openjdk-17-jdk-headless,bash,curl,git,procps,sqlite3"
key="$(printf '%s|%s|%s' "$SUITE" "$PACKAGES" v1 | sha256sum | cut -c1-16)"
if [ -n "$PRINT_KEY" ]; then echo "$key"; exit 0; fi
tarball="$CACHE/rootfs-$key.tar"
mkdir -p "$CACHE"

if [ ! -s "$tarball" ]; then
  echo "==> mmdebstrap $SUITE with $PACKAGES" >&2
  # essential variant + our packages; docs, man pages and locales are dropped to keep the image small
  # (openjdk's postinst still needs the man1 directory to exist).
  mmdebstrap --variant=essential --format=tar --include="$PACKAGES" \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --setup-hook='mkdir -p "$1/usr/share/man/man1"' \
    --customize-hook='chroot "$1" useradd --system --uid 65000 --home-dir /tmp --shell /usr/sbin/nologin sandbox || echo "sandbox:x:65000:65000::/tmp:/usr/sbin/nologin" >> "$1/etc/passwd"' \
    "$SUITE" "$tarball.partial" "$MIRROR" "$MIRROR-security $SUITE-security main"
  mv "$tarball.partial" "$tarball"
fi
echo "==> docker import $tarball as $IMAGE" >&2
docker import --change 'USER 65000:65000' --change 'WORKDIR /tmp' --change "LABEL cr.rootfs=$key" \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8' "$tarball" "$IMAGE" >/dev/null
