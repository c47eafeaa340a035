// Test support: checks an SPDX 2.3 JSON document against the rules of SPDX 2.3's JSON schema
// (testdata/scan/spdx/spdx-2.3-rules.schema.json: required fields, closed objects, date and
// SPDXID patterns, enumerations; restated, since the official file is not on the npm registry or in
// Debian) and two rules of the specification's text the schema cannot state: every SPDXID is unique
// and every relationship names an element the document declares. The errors, or null when valid.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

const RULES = new URL('../../../testdata/scan/spdx/spdx-2.3-rules.schema.json', import.meta.url);
const validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(RULES, 'utf8')));

export function spdxRuleErrors(doc: unknown): string[] | null {
  if (!validate(doc))
    return (validate.errors ?? []).map(
      (e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`,
    );
  const d = doc as {
    packages?: { SPDXID: string }[];
    relationships?: { spdxElementId: string; relatedSpdxElement: string }[];
  };
  const errors: string[] = [];
  const ids = new Set(['SPDXRef-DOCUMENT']);
  for (const p of d.packages ?? []) {
    if (ids.has(p.SPDXID)) errors.push(`SPDXID ${p.SPDXID} is declared twice`);
    ids.add(p.SPDXID);
  }
  for (const r of d.relationships ?? [])
    for (const id of [r.spdxElementId, r.relatedSpdxElement])
      if (!ids.has(id) && id !== 'NONE' && id !== 'NOASSERTION')
        errors.push(`relationship names undeclared ${id}`);
  return errors.length ? errors : null;
}
