import { Worker } from 'node:worker_threads';
import { BlockMemory } from './block-memory';
import { BlockDecoder, CompressionSettings, DecoderFailure, outputSize } from './streams';

/**
 * The worker's code, evaluated as a script (a file of its own would need a second build output
 * for the tests, which run the TypeScript sources). It decompresses each block it is sent with
 * zlib's synchronous call and copies the result into the output slot the main thread reserved for
 * it; without a slot (all in use, or a block larger than a slot) it sends the bytes back instead.
 * Its own Buffers are released as soon as they are copied (see release).
 */
const WORKER_SOURCE = `
const { MessageChannel, parentPort, workerData } = require('node:worker_threads');
const { getHeapStatistics } = require('node:v8');
const zlib = require('node:zlib');
// What this thread's own heap holds after a block, garbage included (it is collected lazily).
const heapBytes = () => {
  const heap = getHeapStatistics();
  return heap.used_heap_size + heap.external_memory;
};
// Frees a decompressed block's memory now rather than at this heap's next collection (which let
// 30-40 MiB of used blocks pile up): transferring a buffer detaches it here, and a message that is
// never received is dropped, with the memory, when its channel closes. Small buffers may lie in
// Node's shared pool, which cannot be transferred; they are left to the collector.
const release = (data) => {
  if (data.buffer.byteLength < 65536) return;
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(null, [data.buffer]);
  port1.close();
  port2.close();
};
const { algorithm, input, inputSlotBytes, output, outputSlotBytes } = workerData;
const outputBytes = new Uint8Array(output);
parentPort.on('message', (job) => {
  const block = job.input >= 0
    ? new Uint8Array(input, job.input * inputSlotBytes, job.storedBytes)
    : job.block;
  const options = { maxOutputLength: job.plainBytes, chunkSize: job.chunkSize };
  let data;
  try {
    data = algorithm === 'gzip' ? zlib.gunzipSync(block, options) : zlib.brotliDecompressSync(block, options);
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error), heap: heapBytes() });
    return;
  }
  if (job.output >= 0 && data.length <= outputSlotBytes) {
    outputBytes.set(data, job.output * outputSlotBytes);
    const length = data.length;
    release(data);
    parentPort.postMessage({ id: job.id, length, heap: heapBytes() });
  } else {
    // The message carries a copy.
    parentPort.postMessage({ id: job.id, data, heap: heapBytes() });
    release(data);
  }
});
`;

interface Reply {
  id: number;
  heap: number;
  length?: number;
  data?: Uint8Array;
  error?: string;
}

/** The decoders open now (their memory is outside the main thread's heap). */
const open = new Set<WorkerBlockDecoder>();

/**
 * Memory the open decoders hold outside the main thread's heap: their slots, and their worker's heap
 * as it last reported it after a block (garbage included). The benchmark adds it to the restore's.
 */
export function decoderMemoryBytes(): number {
  let bytes = 0;
  for (const decoder of open) bytes += decoder.memoryBytes();
  return bytes;
}

/** Blocks decoded by every decoder so far, and those that came back in a Buffer of their own. */
export const decoderCounts = { blocks: 0, unslotted: 0 };

interface Job {
  resolve(data: Buffer): void;
  reject(error: Error): void;
  input: number | undefined;
  output: number | undefined;
}

/**
 * Decompresses blocks on a worker thread into reused memory (BlockMemory): the main thread copies
 * each compressed block into an input slot, the worker decompresses it into an output slot, and the
 * block comes back as a view of that slot, held once for the reader (who drops it when used). The
 * main thread allocates nothing per block, so the restore's decompressed data no longer drives V8's
 * old-space collections. One worker decompresses one block at a time, in the order sent.
 */
export class WorkerBlockDecoder implements BlockDecoder {
  private readonly worker: Worker;
  private readonly inputs: BlockMemory;
  private readonly inputBytes: Uint8Array;
  private readonly waiting = new Map<number, Job>();
  private nextId = 0;
  private failure: Error | undefined;
  private workerHeapBytes = 0;

  constructor(
    algorithm: CompressionSettings['algorithm'],
    private readonly outputs: BlockMemory,
    concurrency: number,
  ) {
    if (algorithm === 'none') throw new Error('block compression needs an algorithm');
    // A compressed block is usually a quarter of its plain size; a larger one travels in the message.
    this.inputs = new BlockMemory(Math.max(64 * 1024, outputs.slotBytes / 2), concurrency);
    this.inputBytes = new Uint8Array(this.inputs.shared);
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        algorithm,
        input: this.inputs.shared,
        inputSlotBytes: this.inputs.slotBytes,
        output: outputs.shared,
        outputSlotBytes: outputs.slotBytes,
      },
    });
    this.worker.unref();
    open.add(this);
    this.worker.on('message', (reply: Reply) => this.settle(reply));
    this.worker.on('error', (error) =>
      this.abort(new DecoderFailure(`the decompression worker failed: ${error.message}`)),
    );
    this.worker.on('exit', (code) =>
      this.abort(new DecoderFailure(`the decompression worker stopped (exit code ${code})`)),
    );
  }

  decode(pieces: Buffer[], storedBytes: number, plainBytes: number): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const output = plainBytes <= this.outputs.slotBytes ? this.outputs.acquire() : undefined;
    const input = storedBytes <= this.inputs.slotBytes ? this.inputs.acquire() : undefined;
    let block: Buffer | undefined;
    if (input === undefined) {
      block = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, storedBytes);
    } else {
      let at = input * this.inputs.slotBytes;
      for (const piece of pieces) {
        this.inputBytes.set(piece, at);
        at += piece.length;
      }
    }
    return new Promise<Buffer>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, input, output });
      this.worker.postMessage({
        id,
        storedBytes,
        plainBytes,
        chunkSize: outputSize(plainBytes),
        input: input ?? -1,
        output: output ?? -1,
        block,
      });
    });
  }

  /** The slots, and the worker's heap as last reported. */
  memoryBytes(): number {
    return this.outputs.shared.byteLength + this.inputs.shared.byteLength + this.workerHeapBytes;
  }

  close(): void {
    open.delete(this);
    this.failure ??= new DecoderFailure('the decompression worker was closed');
    this.rejectAll(this.failure);
    void this.worker.terminate();
  }

  private settle(reply: Reply): void {
    this.workerHeapBytes = reply.heap;
    const job = this.waiting.get(reply.id);
    if (!job) return;
    this.waiting.delete(reply.id);
    if (job.input !== undefined) this.inputs.release(job.input);
    if (reply.error === undefined) decoderCounts.blocks++;
    if (reply.length !== undefined && job.output !== undefined) {
      job.resolve(this.outputs.view(job.output, reply.length));
      return;
    }
    if (job.output !== undefined) this.outputs.release(job.output);
    if (reply.data) {
      decoderCounts.unslotted++;
      job.resolve(Buffer.from(reply.data.buffer, reply.data.byteOffset, reply.data.length));
    } else {
      job.reject(new Error(reply.error ?? 'the decompression worker sent no data'));
    }
  }

  private abort(error: Error): void {
    this.failure ??= error;
    this.rejectAll(error);
  }

  private rejectAll(error: Error): void {
    for (const job of this.waiting.values()) job.reject(error);
    this.waiting.clear();
  }
}
