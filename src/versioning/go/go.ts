// Go module versions (golang.org/x/mod/semver): SemVer with an optional leading "v" (OSV writes
// Go versions without it), `vMAJOR` and `vMAJOR.MINOR` shorthands, `+incompatible` as build metadata
// (ignored in ordering) and pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`) ordered as the
// pre-releases they are. Spec: https://go.dev/ref/mod#versions.
import { semverScheme } from '../semver/semver.js';

export const go = semverScheme('go', {
  allowV: true,
  allowShort: true,
  strictZeros: true,
  extraAsBuild: false,
});
