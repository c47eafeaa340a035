// Reads the header blobs out of rpm's SQLite database (`rpmdb.sqlite`, Fedora 33+, RHEL 9) with
// sql.js (SQLite compiled to WASM: no native install). Spec: rpm `lib/backend/sqlite.c`
// (table `Packages(hnum INTEGER PRIMARY KEY, blob BLOB)`).
import { createRequire } from 'node:module';
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import { MalformedFileError } from '../../../errors.js';

let sql: Promise<SqlJsStatic> | undefined;

function loadSqlJs(): Promise<SqlJsStatic> {
  const require = createRequire(import.meta.url);
  sql ??= initSqlJs({ locateFile: (f: string) => require.resolve(`sql.js/dist/${f}`) });
  return sql;
}

export function isSqlite(data: Uint8Array): boolean {
  return (
    Buffer.from(data.buffer, data.byteOffset, Math.min(16, data.length)).toString('latin1') ===
    'SQLite format 3\u0000'
  );
}

export async function sqliteValues(data: Uint8Array, where: string): Promise<Uint8Array[]> {
  const SQL = await loadSqlJs();
  let db: InstanceType<SqlJsStatic['Database']> | undefined;
  try {
    db = new SQL.Database(data);
    const res = db.exec('SELECT blob FROM Packages');
    return (res[0]?.values ?? []).map((row) => {
      const v = row[0];
      if (!(v instanceof Uint8Array)) throw new MalformedFileError(where, 'Packages.blob is not a BLOB');
      return v;
    });
  } catch (err) {
    if (err instanceof MalformedFileError) throw err;
    throw new MalformedFileError(where, `not a readable rpm SQLite database: ${(err as Error).message}`);
  } finally {
    db?.close();
  }
}
