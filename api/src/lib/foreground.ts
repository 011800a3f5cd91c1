// Foreground work: an admin's write (a POST to /graphql) runs before the fan-out's slices
// (docs/adr/0028). The frame writer and the hub hand events out in slices of half a
// millisecond, yielding between them so that other work gets its turn; but a mutation waits for
// a turn of the loop before each of its statements, and each turn ran a writer slice and a hub
// slice first: under S4 (20 writes a second while 5,000 sockets take every event) a rename's
// median was 10–12 ms against 7–8 ms with nobody listening. While a write is in flight the
// slices wait for it to be answered. A period of foreground work (from one write in flight to
// none) holds them for at most MAX_DEFER_MS: after that they run as before until it is over, so
// a slow write (a database round trip, a lock) or a stream of overlapping ones never starves
// the fan-out.

/** The longest one period of foreground work holds the slices back. */
export const MAX_DEFER_MS = 10;

let inFlight = 0;
/** When the current period of foreground work began (performance.now()). */
let busySince = 0;
/** Slices waiting for the foreground to finish, each with its timer. */
const waiting = new Set<Waiter>();

interface Waiter {
  run: () => void;
  timer: NodeJS.Timeout;
}

/** Foreground work starts; call the result (idempotent) once it is over. */
export function foregroundStarted(): () => void {
  if (inFlight++ === 0) busySince = performance.now();
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--inFlight === 0) wakeAll();
  };
}

/** Foreground work is in flight and still has priority (its period is under MAX_DEFER_MS old). */
export function foregroundBusy(): boolean {
  return inFlight > 0 && performance.now() - busySince < MAX_DEFER_MS;
}

/**
 * Runs `run` on the next turn of the event loop, unless foreground work has priority: then once
 * it is over, or when its period reaches MAX_DEFER_MS, whichever comes first.
 */
export function whenForegroundIdle(run: () => void): void {
  if (!foregroundBusy()) return void setImmediate(run);
  const waiter: Waiter = {
    run,
    timer: setTimeout(
      () => {
        waiting.delete(waiter);
        run();
      },
      Math.max(0, busySince + MAX_DEFER_MS - performance.now()),
    ),
  };
  waiting.add(waiter);
}

/** whenForegroundIdle as a promise: a slice's turn. */
export const foregroundTurn = (): Promise<void> => new Promise((resolve) => whenForegroundIdle(resolve));

function wakeAll(): void {
  const woken = [...waiting];
  waiting.clear();
  for (const waiter of woken) {
    clearTimeout(waiter.timer);
    setImmediate(waiter.run);
  }
}
