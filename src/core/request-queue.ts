// FIFO of requests waiting for one device: the plugs serve one request at a
// time, so exactly one runs; the rest wait in order. A bound keeps a stalled
// or flooded device from growing the queue without limit.

export interface QueueEntry<T> {
  run: () => Promise<T>;
  resolve: (value: T) => void;
  reject: (err: Error) => void;
}

export class RequestQueue<T> {
  // Slots before `head` are emptied as entries are taken, so a served request (and the
  // reply its settled promise holds) is not kept alive by the queue.
  private waiting: (QueueEntry<T> | undefined)[] = [];
  private head = 0; // index of the next entry; avoids O(n) shift() under bursts
  private running = false;

  constructor(readonly limit: number) {}

  /** Number of requests waiting (not counting the one running). */
  get size(): number {
    return this.waiting.length - this.head;
  }

  get busy(): boolean {
    return this.running;
  }

  /** False when the bound is reached: the caller rejects instead. */
  push(entry: QueueEntry<T>): boolean {
    if (this.size >= this.limit) return false;
    this.waiting.push(entry);
    if (!this.running) void this.drain();
    return true;
  }

  /** Removes every waiting entry and returns them (close() rejects them). */
  clear(): QueueEntry<T>[] {
    const rest = this.waiting.slice(this.head) as QueueEntry<T>[];
    this.waiting = [];
    this.head = 0;
    return rest;
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.head < this.waiting.length) {
      const entry = this.waiting[this.head] as QueueEntry<T>;
      this.waiting[this.head] = undefined;
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting = this.waiting.slice(this.head);
        this.head = 0;
      }
      try {
        entry.resolve(await entry.run());
      } catch (err) {
        entry.reject(err as Error);
      }
    }
    this.waiting = [];
    this.head = 0;
    this.running = false;
  }
}
