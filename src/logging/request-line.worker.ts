import { workerData } from 'node:worker_threads';
import { formatBatch, RequestLineBatch, RequestLineFormatter } from './request-line.format';
import type { FormattedBatch, RequestLineWorkerData } from './request-line.offload';

/**
 * The request lines' formatting thread (see request-line.offload.ts): each batch of fields that
 * comes in goes back as the lines' bytes, their memory transferred, not copied. Then the batch's
 * seq is published, so a process that is exiting can wait for it and take the result synchronously.
 */
const { tail, port, done } = workerData as RequestLineWorkerData;
const formatter = new RequestLineFormatter(tail);
port.on('message', (batch: RequestLineBatch) => {
  const chunks = formatBatch(formatter, batch);
  const formatted: FormattedBatch = { seq: batch.seq, chunks };
  port.postMessage(
    formatted,
    chunks.map((chunk) => chunk.bytes.buffer as ArrayBuffer),
  );
  Atomics.store(done, 0, BigInt(batch.seq));
  Atomics.notify(done, 0);
});
