// Propagation's own keys in the settings table (watermarks, posture.authoritativeSource).
import type { Store } from '../../open-store.js';

export async function getSetting<T>({ db }: Pick<Store, 'db'>, key: string): Promise<T | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row ? (row.value as T) : undefined;
}

export async function putSetting({ db }: Pick<Store, 'db'>, key: string, value: unknown): Promise<void> {
  const json = JSON.stringify(value);
  await db
    .insertInto('settings')
    .values({ key, value: json })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: new Date() }))
    .execute();
}
