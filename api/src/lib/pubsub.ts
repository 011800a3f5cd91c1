// Carries "organisation X's log grew to position N" between the instance that committed and
// every instance that delivers, and with it the committed events themselves, so a hub whose
// log ends just before them can deliver without reading them back (docs/adr/0022). The log
// stays the truth: a hub that finds a gap (an announcement lost or overtaken) reads the log,
// so a lost announcement loses nothing: the next one, a reconnect or the hub's periodic check
// catches up (docs/ARCHITECTURE.md).
import { EventEmitter } from "node:events";
import type { Event } from "../generated/prisma/client.ts";

/** `events`: the committed rows up to `position`, in log order, when the publisher sent them. */
export type Announcement = (position: bigint, events: readonly Event[] | null) => void;

export interface EventBus {
  /**
   * Announces that `organizationId`'s event log now reaches `position`; `events` are the rows
   * the commit appended (ending at `position`). Never throws.
   */
  publish(organizationId: string, position: bigint, events?: readonly Event[]): void;
  /** Calls `listener` for every announcement; resolves once listening; returns the unsubscribe function. */
  subscribe(organizationId: string, listener: Announcement): Promise<() => void>;
  /** Called after the bus lost its connection and got it back: announcements may be missing. */
  onReconnect(listener: () => void): void;
  /** For /ready: false while the bus cannot carry announcements. */
  healthy(): boolean;
  close(): Promise<void>;
}

export function createInProcessEventBus(): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish(organizationId, position, events) {
      emitter.emit(organizationId, position, events ?? null);
    },
    subscribe(organizationId, listener) {
      emitter.on(organizationId, listener);
      return Promise.resolve(() => void emitter.off(organizationId, listener));
    },
    onReconnect() {},
    healthy: () => true,
    close() {
      emitter.removeAllListeners();
      return Promise.resolve();
    },
  };
}
