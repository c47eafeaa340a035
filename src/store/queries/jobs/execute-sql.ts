// The store as pg-boss's database: pg-boss accepts `db: { executeSql(text, values) }`, and this is
// that object over the store's own connections (ADR 0012). On PostgreSQL a text without values goes
// out as one simple-protocol query, so pg-boss's multi-statement transactions run as they are. When
// such a text fails after its BEGIN (two processes creating the same queue at once), PostgreSQL
// leaves the session in an aborted transaction block: the connection is rolled back before it goes
// back to the pool, or every later statement on it fails ("current transaction is aborted"). PGlite
// takes only one statement per extended-protocol query: such a text is split at its top-level `;`
// (outside quotes, dollar-quoted bodies and comments) and run statement by statement on the one
// connection, held for the whole text so nothing else interleaves with its BEGIN … COMMIT.
import { CompiledQuery } from 'kysely';
import type { Store } from '../../open-store.js';

export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number }>;
}

export function sqlExecutor(store: Pick<Store, 'db' | 'kind'>): SqlExecutor {
  return {
    async executeSql(text, values) {
      if (values && values.length > 0) {
        const r = await store.db.executeQuery(CompiledQuery.raw(text, values));
        return { rows: r.rows as unknown[], rowCount: Number(r.numAffectedRows ?? r.rows.length) };
      }
      if (store.kind === 'postgres') {
        return store.db.connection().execute(async (conn) => {
          try {
            const r = await conn.executeQuery(CompiledQuery.raw(text, []));
            return { rows: r.rows as unknown[], rowCount: Number(r.numAffectedRows ?? r.rows.length) };
          } catch (err) {
            // Outside a transaction block this is a no-op (a warning only).
            await conn.executeQuery(CompiledQuery.raw('rollback', [])).catch(() => {});
            throw err;
          }
        });
      }
      const statements = splitStatements(text);
      return store.db.connection().execute(async (conn) => {
        let last = { rows: [] as unknown[], rowCount: 0 };
        let opened = false;
        try {
          for (const s of statements) {
            if (/^begin\b/i.test(s)) opened = true;
            const r = await conn.executeQuery(CompiledQuery.raw(s, []));
            if (/^(commit|rollback)\b/i.test(s)) opened = false;
            last = { rows: r.rows as unknown[], rowCount: Number(r.numAffectedRows ?? r.rows.length) };
          }
        } catch (err) {
          if (opened) await conn.executeQuery(CompiledQuery.raw('rollback', [])).catch(() => {});
          throw err;
        }
        return last;
      });
    },
  };
}

/** The statements of a SQL text, split at top-level semicolons; empty ones dropped. */
export function splitStatements(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      i = text.indexOf(c, i + 1);
      while (i !== -1 && text[i + 1] === c) i = text.indexOf(c, i + 2); // '' inside a string
      i = i === -1 ? text.length : i + 1;
    } else if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else if (c === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i));
      if (tag) {
        const end = text.indexOf(tag[0], i + tag[0].length);
        i = end === -1 ? text.length : end + tag[0].length;
      } else i++;
    } else if (c === ';') {
      out.push(text.slice(start, i));
      start = ++i;
    } else i++;
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}
