// Carries "organisation X's log grew to position N" between the code that commits and the
// code that delivers. In-process for now; the realtime issue adds Redis (graphql-redis-
// subscriptions) behind the same interface. Subscribers read the events from the log, so a
// lost notification loses nothing (docs/ARCHITECTURE.md).
import { EventEmitter } from "node:events";

export interface EventBus {
  /** Announces that `organizationId`'s event log now reaches `position`. Never throws. */
  publish(organizationId: string, position: bigint): void;
  /** Calls `listener` for every announcement; returns the unsubscribe function. */
  subscribe(organizationId: string, listener: (position: bigint) => void): () => void;
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
      return () => emitter.off(organizationId, listener);
    },
    close() {
      emitter.removeAllListeners();
      return Promise.resolve();
    },
  };
}
