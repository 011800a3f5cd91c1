// Shows whether updates are live, and when not, when the next attempt is and a way to try now.
import { useEffect, useState } from "react";
import type { UseLive } from "../use-live.ts";

const LABEL = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…", offline: "Offline" } as const;

export function ConnectionIndicator({ live }: { live: UseLive }) {
  const { status } = live;
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (status.retryAt === null) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [status.retryAt]);
  const seconds = status.retryAt === null ? null : Math.max(0, Math.ceil((status.retryAt - now) / 1000));
  return (
    <div className={`connection connection-${status.state}`} role="status" aria-live="polite" data-state={status.state}>
      <span className="dot" aria-hidden="true" />
      <span>{LABEL[status.state]}</span>
      {status.state === "live" && status.transport === "sse" && <span className="muted"> (SSE)</span>}
      {seconds !== null && status.state !== "live" && <span className="muted"> · next try in {seconds}s</span>}
      {status.state !== "live" && status.state !== "connecting" && (
        <button type="button" className="link-button" onClick={() => live.retryNow()}>
          Retry now
        </button>
      )}
    </div>
  );
}
