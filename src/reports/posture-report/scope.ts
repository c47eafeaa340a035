// The scope of a report: its key (how runs of the same scope are found again) and the narrowing
// rule of the API — a request can only narrow the caller's access scope, never widen it.
import { type AccessScope, formatScope, SCOPE_DIMENSIONS, type ScopeDimension } from '../../core/access.js';
import { InputError } from '../../core/errors.js';

const FIELD: Record<ScopeDimension, keyof AccessScope> = {
  cluster: 'clusters',
  namespace: 'namespaces',
  environment: 'environments',
  owner: 'owners',
};

/** `cluster=prod&namespace=shop` (kinds in a fixed order, values sorted); `fleet` when unrestricted. */
export function scopeKey(scope: AccessScope): string {
  return formatScope(scope).join('&') || 'fleet';
}

/**
 * The scope a caller with access scope `allowed` asked for with `requested`: per kind, the requested
 * values when given (each must be inside what `allowed` lets the caller see), else the allowed ones.
 * A requested value outside the caller's scope is refused (InputError) rather than answered empty,
 * so a report never silently widens or claims to cover what it cannot.
 */
export function narrowScope(allowed: AccessScope, requested: AccessScope): AccessScope {
  const out: AccessScope = {};
  for (const d of SCOPE_DIMENSIONS) {
    const field = FIELD[d];
    const may = allowed[field] ?? [];
    const want = requested[field] ?? [];
    const outside = may.length ? want.filter((v) => !may.includes(v)) : [];
    if (outside.length)
      throw new InputError(
        `${outside.map((v) => `${d}=${v}`).join(', ')} is outside the caller's scope (${formatScope(allowed).join(', ')})`,
      );
    const values = want.length ? want : may;
    if (values.length) out[field] = [...values];
  }
  return out;
}
