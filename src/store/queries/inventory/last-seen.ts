// When a container, or an open exposure interval, was last seen (ADR 0010). A full list that finds
// a container unchanged does not write its row: it records the list's time once on the source
// (inventory_sources.last_full_at, set only by unscoped full lists), and every container of the
// source that is live then was in that list. So a live container's last sighting is
// greatest(last_seen, its source's last_full_at); a removed one's is its last_seen (written exactly
// when it was closed). An open exposure interval follows its container. Every read of last_seen for
// a live row goes through these (greatest() ignores the null of a source with no full list yet).
import { type RawBuilder, sql } from 'kysely';

/** The last sighting of the container row `c` (an alias of containers). */
export function containerLastSeen(c: string): RawBuilder<Date> {
  const ref = (col: string) => sql.ref(`${c}.${col}`);
  return sql<Date>`greatest(${ref('last_seen')}, case when ${ref('removed_at')} is null then
    (select s.last_full_at from inventory_sources s where s.id = ${ref('source_id')}) end)`;
}

/** The last sighting within the exposure interval `e` (an alias of exposures). */
export function exposureLastSeen(e: string): RawBuilder<Date> {
  const ref = (col: string) => sql.ref(`${e}.${col}`);
  return sql<Date>`greatest(${ref('last_seen')}, case when ${ref('closed_at')} is null then
    (select s.last_full_at from containers c join inventory_sources s on s.id = c.source_id
     where c.id = ${ref('container_id')} and c.removed_at is null) end)`;
}

/**
 * The oldest last sighting among the live containers (alias c) of a group that has c.source_id
 * among its keys: every row shares the source's last_full_at, so greatest(min(…), it).
 */
export function liveGroupLastSeen(): RawBuilder<Date> {
  return sql<Date>`greatest(min(c.last_seen), (select s.last_full_at from inventory_sources s where s.id = c.source_id))`;
}
