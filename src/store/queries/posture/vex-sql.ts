// The VEX rule of src/advisories/vex/apply-vex.ts (vexStatementApplies) in SQL, for the queries that
// decide posture: statement `v` speaks about finding `f` when it names f's vulnerability (or an
// alias) and f's image (the digest, or an OCI purl carrying it) or f's package (its purl, or the purl
// without a version) — and, when the statement names a subcomponent, only f's package if that
// subcomponent's purl matches it (qualifiers ignored; a versionless purl matches every version).
// Without the subcomponent check a not_affected statement about one package hid the vulnerability
// from every package of the image.
import { type RawBuilder, sql } from 'kysely';

/**
 * Each (product, subcomponent, vulnerability)'s latest statement: a later statement about the same
 * thing replaces an earlier one (an `affected` after a `not_affected` puts the finding back).
 */
export const LATEST_VEX_SQL = sql`select distinct on (product, coalesce(subcomponent, ''), vulnerability_id)
    product, subcomponent, vulnerability_id, status
  from vex_statements
  order by product, coalesce(subcomponent, ''), vulnerability_id, issued_at desc nulls last, id desc`;

/** A purl's comparable form: lower case, qualifiers and subpath dropped, common escapes decoded. */
function purlKey(expr: string): string {
  return `replace(replace(replace(lower(split_part(split_part(${expr}, '?', 1), '#', 1)), '%2b', '+'), '%3a', ':'), '%7e', '~')`;
}

/** `pattern` (a purl, maybe without version) matches `purl` as apply-vex's purlMatches does. */
function purlMatchesSql(pattern: string, purl: string): string {
  const p = purlKey(pattern);
  const f = purlKey(purl);
  return `(${purl} is not null and (${f} = ${p} or (strpos(${p}, '@') = 0 and strpos(${f}, ${p} || '@') = 1)))`;
}

/**
 * True when statement alias `v` (a vex_statements row) applies to finding alias `f` (a findings
 * row). Aliases are trusted identifiers written by the store's own queries, never user input.
 */
export function vexAppliesSql(v: string, f: string): RawBuilder<boolean> {
  return sql.raw<boolean>(`((${v}.vulnerability_id = ${f}.vulnerability_id or ${v}.vulnerability_id = any(${f}.aliases))
    and (${v}.product = ${f}.image_digest or ${v}.product = ${f}.package_purl
         or strpos(${v}.product, replace(${f}.image_digest, ':', '%3A')) > 0
         or (${f}.package_purl is not null and strpos(${f}.package_purl, ${v}.product || '@') = 1))
    and (${v}.subcomponent is null or ${purlMatchesSql(`${v}.subcomponent`, `${f}.package_purl`)}))`);
}
