// One instant, shown in the viewer's time zone with the zone named, and in UTC on hover, on
// keyboard focus and on tap (a bubble, also read out by screen readers after the local time).
// Used wherever the public page, the incident pages and the dashboard show a time.
import { useSyncExternalStore } from "react";
import { formatInZone, formatUtc, viewerLocale, viewerTimeZone } from "./time.ts";

const never = () => () => {};
/** What a page rendered on the server shows (and its hydration, which must match it). */
const ON_THE_SERVER = { timeZone: "UTC", locale: "en-US" };

/**
 * The viewer's time zone and locale. A page rendered on the server, and its hydration, use UTC
 * and en-US (all the server knows); the browser then re-renders in the viewer's own.
 */
export function useViewerClock(): { timeZone: string; locale: string } {
  const timeZone = useSyncExternalStore(never, viewerTimeZone, () => ON_THE_SERVER.timeZone);
  const locale = useSyncExternalStore(never, viewerLocale, () => ON_THE_SERVER.locale);
  return { timeZone, locale };
}

export function useViewerTimeZone(): string {
  return useViewerClock().timeZone;
}

export function Time({ value, className }: { value: string; className?: string }) {
  const { timeZone: zone, locale } = useViewerClock();
  const utc = formatUtc(value);
  return (
    <time dateTime={value} className={className ? `time ${className}` : "time"} tabIndex={0} data-utc={utc}>
      {formatInZone(value, zone, locale)}
      {zone !== "UTC" && <span className="time-utc"> ({utc})</span>}
    </time>
  );
}
