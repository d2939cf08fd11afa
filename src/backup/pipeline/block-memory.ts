/**
 * Who still needs a piece of a restore's decompressed data. A reader holds the pieces it hands on
 * and drops them once they are used (written to the database, or read into a string); memory whose
 * pieces are all dropped is reused for the next block.
 */
export interface BlockLeases {
  hold(piece: Buffer): void;
  drop(piece: Buffer): void;
}

/** For data in ordinary Buffers, which the garbage collector frees. */
export const COLLECTED: BlockLeases = { hold: () => undefined, drop: () => undefined };

/**
 * Reused memory for decompressed blocks: one SharedArrayBuffer of equal slots, so a worker thread
 * can decompress into it (block-worker.ts) and the main thread hand views of it to the database
 * socket without allocating. Why: each decompressed 4 MiB block in a Buffer of its own counted as
 * new external memory, and V8 started an old-space collection of the whole heap every few tens of
 * MiB of it (19–24 per restore of the benchmark database, 0.5–0.7 s of collector pauses;
 * docs/backup.md). A slot is reused once every hold on its pieces is dropped; a piece's slot is
 * found from its offset.
 */
export class BlockMemory implements BlockLeases {
  readonly shared: SharedArrayBuffer;
  private readonly holds: number[];
  private readonly free: number[] = [];

  constructor(
    readonly slotBytes: number,
    readonly slots: number,
  ) {
    this.shared = new SharedArrayBuffer(slotBytes * slots);
    this.holds = Array.from({ length: slots }, () => 0);
    for (let slot = slots - 1; slot >= 0; slot--) this.free.push(slot);
  }

  /** A free slot, held once by the caller; undefined when every slot is in use. */
  acquire(): number | undefined {
    const slot = this.free.pop();
    if (slot !== undefined) this.holds[slot] = 1;
    return slot;
  }

  /** The first `length` bytes of a slot, as a Buffer (a view: nothing is allocated or copied). */
  view(slot: number, length: number): Buffer {
    return Buffer.from(this.shared, slot * this.slotBytes, length);
  }

  /** Slots in use (tests). */
  get inUse(): number {
    return this.slots - this.free.length;
  }

  hold(piece: Buffer): void {
    const slot = this.slotOf(piece);
    if (slot !== undefined) this.holds[slot]++;
  }

  drop(piece: Buffer): void {
    const slot = this.slotOf(piece);
    if (slot === undefined) return;
    if (this.holds[slot] <= 0) throw new Error(`Block slot ${slot} was dropped more than held.`);
    if (--this.holds[slot] === 0) this.free.push(slot);
  }

  /** Gives a slot back that was acquired but never filled (a failed decompression). */
  release(slot: number): void {
    this.holds[slot] = 0;
    this.free.push(slot);
  }

  private slotOf(piece: Buffer): number | undefined {
    if (piece.buffer !== this.shared || piece.length === 0) return undefined;
    return Math.floor(piece.byteOffset / this.slotBytes);
  }
}
