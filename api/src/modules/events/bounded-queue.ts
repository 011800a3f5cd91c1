// A subscriber's buffer between the hub (which pushes every event at once to every subscriber)
// and its transport (which pulls as fast as its socket drains). Bounded: a subscriber that
// falls too far behind is cut off instead of slowing anyone else or growing without limit.
//
// Two ways to read it. `next()` (an async iterator) for a reader that waits; or, while nothing
// is buffered, `attach(consumer)`: then push() hands each item to the consumer synchronously, no
// promise per item (docs/adr/0015). A consumer that must wait (its socket is backed up, the
// payload is not built yet) detaches first, and items buffer again, in order, under the same
// bound; it reads them with next() and attaches again once the buffer is empty.

/** Takes items synchronously from a queue it is attached to. */
export interface Consumer<T> {
  accept(item: T): void;
  /** The queue ended while attached (shutdown, revoked): nothing more will come. */
  ended(): void;
}

export class BoundedQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private consumer: Consumer<T> | null = null;
  private failure: Error | null = null;
  private done = false;

  constructor(
    private readonly limit: number,
    private readonly onEnd: () => void,
    private readonly onOverflow: () => void = () => {},
  ) {}

  push(item: T): void {
    if (this.done || this.failure) return;
    if (this.consumer) return this.consumer.accept(item);
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

  /**
   * Hands later items to `consumer` as they are pushed; false (and nothing changes) when items
   * are buffered, a reader is waiting or the queue has ended: read with next() first.
   */
  attach(consumer: Consumer<T>): boolean {
    if (this.items.length > 0 || this.waiting || this.done || this.failure) return false;
    this.consumer = consumer;
    return true;
  }

  /** Items buffer again (for next()) from now on. */
  detach(): void {
    this.consumer = null;
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
    const consumer = this.consumer;
    this.consumer = null;
    consumer?.ended();
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
