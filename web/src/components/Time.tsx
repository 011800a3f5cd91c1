// One instant, shown in the viewer's time zone with the zone named, and in UTC on hover, on
// keyboard focus and on tap (a bubble, also read out by screen readers after the local time).
// Used wherever the public page, the incident pages and the dashboard show a time.
import { useSyncExternalStore } from "react";
import { formatInZone, formatUtc, viewerTimeZone } from "./time.ts";

const never = () => () => {};

/**
 * The viewer's time zone. A page rendered on the server (and its hydration) shows UTC, which
 * is what the server knows; the browser then re-renders in the viewer's zone.
 */
export function useViewerTimeZone(): string {
  return useSyncExternalStore(never, viewerTimeZone, () => "UTC");
}

export function Time({ value, className }: { value: string; className?: string }) {
  const zone = useViewerTimeZone();
  const utc = formatUtc(value);
  return (
    <time dateTime={value} className={className ? `time ${className}` : "time"} tabIndex={0} data-utc={utc}>
      {formatInZone(value, zone)}
      {zone !== "UTC" && <span className="time-utc"> ({utc})</span>}
    </time>
  );
}
