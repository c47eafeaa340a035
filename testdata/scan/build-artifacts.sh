#!/bin/sh
# Builds the Go binary and Java archives the scanner tests read, into $1 (default ./out).
# Needs: Debian golang-go (no module download: the only dependency is a local `replace`) and the
# JDK's `jar` tool. The outputs are not committed; tests run this script in their setup.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/out}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Go: a binary with build info (main module, dependency replaced by a local folder, Go version).
cp -r "$here/go" "$work/go"
(cd "$work/go/app" && GOFLAGS=-mod=mod GOPROXY=off GOCACHE="$work/gocache" GOPATH="$work/gopath" \
  go build -trimpath -o "$out/hello-go" .)

# Java: a jar with pom.properties, a manifest-only jar, a fat jar nesting both, and a war.
jar cf "$out/greet-lib-2.4.1.jar" -C "$here/java/lib" .
jar cfm "$out/thing-1.0.7.jar" "$here/java/thing/MANIFEST.MF" -C "$here/java/thing" thing.properties
mkdir -p "$work/fat/BOOT-INF/lib" "$work/war/WEB-INF/lib"
cp -r "$here/java/app/META-INF" "$work/fat/"
cp "$out/greet-lib-2.4.1.jar" "$out/thing-1.0.7.jar" "$work/fat/BOOT-INF/lib/"
jar cf "$out/app.jar" -C "$work/fat" .
cp "$out/greet-lib-2.4.1.jar" "$work/war/WEB-INF/lib/"
jar cf "$out/shop.war" -C "$work/war" .
