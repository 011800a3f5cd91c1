// Carries "organisation X's log grew to position N" between the instance that committed and
// every instance that delivers. Subscribers read the events from the log, never from the
// message, so a lost announcement loses nothing: the next one, a reconnect or the hub's
// periodic check catches up (docs/ARCHITECTURE.md).
import { EventEmitter } from "node:events";

export interface EventBus {
  /** Announces that `organizationId`'s event log now reaches `position`. Never throws. */
  publish(organizationId: string, position: bigint): void;
  /** Calls `listener` for every announcement; resolves once listening; returns the unsubscribe function. */
  subscribe(organizationId: string, listener: (position: bigint) => void): Promise<() => void>;
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
    publish(organizationId, position) {
      emitter.emit(organizationId, position);
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
