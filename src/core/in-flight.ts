// One running promise per key: callers asking for the same key while it runs
// share it instead of starting another (e.g. the editor's outlet probes, so a
// burst of requests for one device opens one connection to it).

export class InFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  /** Keys running now. */
  get size(): number {
    return this.running.size;
  }

  has(key: string): boolean {
    return this.running.has(key);
  }

  /** The running promise for `key`, or a new one from `start()`, forgotten once settled. */
  run(key: string, start: () => Promise<T>): Promise<T> {
    const current = this.running.get(key);
    if (current) return current;
    const p = Promise.resolve()
      .then(start)
      .finally(() => {
        this.running.delete(key);
      });
    this.running.set(key, p);
    return p;
  }
}
