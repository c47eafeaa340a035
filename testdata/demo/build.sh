#!/bin/sh
# Rebuilds testdata/demo/oci, the demo's OCI image layout, from the files in src/ with umoci
# (no daemon). Images:
#   alpine-base-3.18           base: /etc/os-release, /etc/alpine-release, /lib/apk/db/installed (real Alpine 3.18.0 DB)
#   alpine-base-3.18-patched   the same base with musl and musl-utils at 1.2.4-r3 (DERIVED: versions edited)
#   shop-api-1.0               index: linux/amd64 + linux/arm64 manifests = alpine-base-3.18 + an app layer
#   shop-api-1.1               index: linux/amd64 + linux/arm64 manifests = alpine-base-3.18-patched + the same app layer
# The digests change on every rebuild (umoci records creation times); the committed layout is
# what tests and the demo use. Run: sh testdata/demo/build.sh
set -eu
cd "$(dirname "$0")"
rm -rf oci work
mkdir work
umoci init --layout oci

base() { # tag installed-db
  umoci new --image "oci:$1"
  umoci unpack --rootless --image "oci:$1" "work/$1"
  mkdir -p "work/$1/rootfs/etc" "work/$1/rootfs/lib/apk/db"
  cp src/os-release "work/$1/rootfs/etc/os-release"
  cp src/alpine-release "work/$1/rootfs/etc/alpine-release"
  cp "$2" "work/$1/rootfs/lib/apk/db/installed"
  umoci repack --image "oci:$1" "work/$1"
  umoci config --image "oci:$1" --os linux --architecture amd64 --config.cmd /bin/sh
}

app() { # base-tag app-tag
  umoci tag --image "oci:$1" "$2-amd64"
  umoci unpack --rootless --image "oci:$2-amd64" "work/$2"
  mkdir -p "work/$2/rootfs/srv/shop-api"
  cp src/server.sh "work/$2/rootfs/srv/shop-api/server.sh"
  umoci repack --image "oci:$2-amd64" "work/$2"
  umoci config --image "oci:$2-amd64" --config.cmd /srv/shop-api/server.sh \
    --config.label org.opencontainers.image.title=shop-api
  umoci tag --image "oci:$2-amd64" "$2-arm64"
  umoci config --image "oci:$2-arm64" --architecture arm64
}

base alpine-base-3.18 src/installed
base alpine-base-3.18-patched src/installed-patched
app alpine-base-3.18 shop-api-1.0
app alpine-base-3.18-patched shop-api-1.1
python3 make-index.py oci shop-api-1.0 shop-api-1.1
umoci gc --layout oci
rm -rf work
