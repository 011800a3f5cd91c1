import { describe, expect, it } from "vitest";
import { BoundedQueue, SlowSubscriber } from "./bounded-queue.ts";

describe("BoundedQueue", () => {
  it("hands items over in order, to a waiting reader at once", async () => {
    const queue = new BoundedQueue<number>(10, () => {});
    const waiting = queue.next();
    queue.push(1);
    queue.push(2);
    expect(await waiting).toEqual({ value: 1, done: false });
    expect(await queue.next()).toEqual({ value: 2, done: false });
  });

  it("cuts off a reader that falls behind: overflow is reported once and the stream fails", async () => {
    let ended = 0;
    let overflowed = 0;
    const queue = new BoundedQueue<number>(3, () => ended++, () => overflowed++);
    for (let i = 0; i < 10; i++) queue.push(i);
    expect(overflowed).toBe(1);
    expect(ended).toBe(1);
    await expect(queue.next()).rejects.toBeInstanceOf(SlowSubscriber);
  });

  it("ends after what is buffered when the server ends it, and reports the end once", async () => {
    let ended = 0;
    const queue = new BoundedQueue<number>(5, () => ended++);
    queue.push(1);
    queue.end();
    queue.end();
    expect(await queue.next()).toEqual({ value: 1, done: false });
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    expect(ended).toBe(1);
  });

  it("releases a waiting reader when it is returned", async () => {
    const queue = new BoundedQueue<number>(5, () => {});
    const waiting = queue.next();
    await queue.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
  });
});
