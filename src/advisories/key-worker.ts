// The worker thread of a re-match's key evaluation (key-evaluation.ts): its own matcher over its
// own read-only connections to the same PostgreSQL database (the advisories and enrichment it
// reads are committed; the main thread's transaction writes only its temporary tables), evaluating
// the pages it is sent in order and answering each with its templates and pairs.
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/index.js';
import {
  type FromKeyWorker,
  fromColumns,
  type KeyWorkerData,
  newTids,
  pageHits,
  type ToKeyWorker,
} from './key-evaluation.js';
import { createMatcher } from './match/matcher.js';

const port = parentPort!;
const data = workerData as KeyWorkerData;
const send = (m: FromKeyWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

try {
  const store = await openStore({ databaseUrl: data.databaseUrl, readOnly: true });
  const matcher = createMatcher(store);
  const tids = newTids(data.firstTid);
  // Pages are evaluated one after another, in the order they came (numbering depends on it).
  let queue = Promise.resolve();
  port.on('message', (m: ToKeyWorker) => {
    if (m.op === 'close') {
      queue = queue.then(async () => {
        await store.close();
        port.close();
      });
      return;
    }
    queue = queue.then(async () => {
      try {
        const hits = await pageHits(matcher, fromColumns(m.keys), tids);
        send({ op: 'hits', id: m.id, hits }, [
          hits.key.buffer as ArrayBuffer,
          hits.tid.buffer as ArrayBuffer,
        ]);
      } catch (err) {
        send({ op: 'error', id: m.id, message: err instanceof Error ? err.message : String(err) });
      }
    });
  });
  send({ op: 'ready' });
} catch (err) {
  send({ op: 'error', message: err instanceof Error ? err.message : String(err) });
  port.close();
}
