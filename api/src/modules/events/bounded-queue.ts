// A subscriber's buffer between the hub (which pushes every event at once to every subscriber)
// and its transport (which pulls as fast as its socket drains). Bounded: a subscriber that
// falls too far behind is cut off instead of slowing anyone else or growing without limit.
export class BoundedQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private failure: Error | null = null;
  private done = false;

  constructor(
    private readonly limit: number,
    private readonly onEnd: () => void,
    private readonly onOverflow: () => void = () => {},
  ) {}

  push(item: T): void {
    if (this.done || this.failure) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: item, done: false });
      return;
    }
    if (this.items.length >= this.limit) {
      this.failure = new SlowSubscriber();
      this.items.length = 0;
      this.onOverflow();
      this.finish();
      return;
    }
    this.items.push(item);
  }

  /** Ends the stream after what is buffered (server shutdown). */
  end(): void {
    this.finish();
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.failure) return Promise.reject(this.failure);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  get size(): number {
    return this.items.length;
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.onEnd();
    if (this.waiting && this.items.length === 0) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: undefined, done: true });
    }
  }
}

export class SlowSubscriber extends Error {
  constructor() {
    super("Subscriber fell too far behind; reconnect and resume with the last cursor.");
  }
}
