// Times as people read them: in the viewer's own time zone with the zone named ("2 Dec 2026,
// 14:05 CET"), the instant in UTC beside it for anyone comparing notes across zones, and the
// conversion between a zone's wall-clock time (what a datetime-local input holds) and the UTC
// instant the API takes. Pure (the zone and locale are arguments), so it is unit-tested in any zone.

/** The viewer's IANA time zone ("Europe/Berlin"), as the browser reports it; UTC if it cannot. */
export function viewerTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** The viewer's locale ("en-GB"), as the browser formats dates. */
export function viewerLocale(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().locale || "en-US";
  } catch {
    return "en-US";
  }
}

const formats = new Map<string, Intl.DateTimeFormat>();
function format(locale: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale ?? ""}|${JSON.stringify(options)}`;
  let formatter = formats.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, options);
    formats.set(key, formatter);
  }
  return formatter;
}

/**
 * Date and time in `timeZone`, in the viewer's locale, ending with the zone's short name
 * ("2 Dec 2026, 14:05 CET", "Dec 2, 2026, 8:05 AM EST"; where the locale has no abbreviation
 * for the zone it names the offset: "GMT+5:30").
 */
export function formatInZone(instant: string | Date, timeZone: string, locale?: string): string {
  return format(locale, { day: "numeric", month: "short", year: "numeric", hour: "numeric", minute: "2-digit", timeZone, timeZoneName: "short" }).format(new Date(instant));
}

/** The instant in UTC, unambiguous in every locale: "2026-12-02 13:05 UTC". */
export function formatUtc(instant: string | Date): string {
  const iso = new Date(instant).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The zone's short name at `at` ("CET" in winter, "CEST" in summer; "GMT+5:30" when the locale has none). */
export function zoneAbbreviation(timeZone: string, at: string | Date = new Date(), locale?: string): string {
  const parts = format(locale, { timeZone, timeZoneName: "short" }).formatToParts(new Date(at));
  return parts.find((part) => part.type === "timeZoneName")?.value ?? timeZone;
}

/** What a form says its times are in: "Europe/Berlin (CET)", or just "UTC". */
export function zoneLabel(timeZone: string, at: string | Date = new Date(), locale?: string): string {
  const abbreviation = zoneAbbreviation(timeZone, at, locale);
  return timeZone === "UTC" || timeZone === abbreviation ? abbreviation : `${timeZone.replace(/_/g, " ")} (${abbreviation})`;
}

/** A UTC calendar day ("2026-12-02", as the uptime days are) for people: "Wed, 2 Dec 2026" in the locale. */
export function formatDay(date: string, locale?: string): string {
  return format(locale, { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(new Date(`${date}T00:00:00Z`));
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

function wallClockAt(ms: number, timeZone: string): WallClock {
  const parts = format("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  return { year: get("year"), month: get("month"), day: get("day"), hour: get("hour") % 24, minute: get("minute") };
}

/** How far `timeZone` is ahead of UTC at the instant `ms` (minutes are all zones need). */
function offsetAt(ms: number, timeZone: string): number {
  const wall = wallClockAt(ms, timeZone);
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute) - Math.floor(ms / 60_000) * 60_000;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** The value a datetime-local input shows for the instant, on the wall clock of `timeZone`: "2026-12-02T14:05". */
export function toZonedInput(instant: string | Date, timeZone: string): string {
  const wall = wallClockAt(new Date(instant).getTime(), timeZone);
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}`;
}

/**
 * The UTC instant (ISO 8601) of a datetime-local value read on the wall clock of `timeZone`, or
 * null when it is no date. A time that occurs twice (clocks going back) is the first of the two;
 * one the clocks skip (going forward) is read with the offset before the change, so it lands
 * just after it (02:30 on the spring-forward night in Berlin is 03:30 CEST).
 */
export function fromZonedInput(value: string, timeZone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const asIfUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  if (Number.isNaN(asIfUtc)) return null;
  // The offset in force a day either side brackets the answer; try the earlier offset first.
  const candidates = [...new Set([offsetAt(asIfUtc - 86_400_000, timeZone), offsetAt(asIfUtc + 86_400_000, timeZone)])]
    .map((offset) => asIfUtc - offset)
    .filter((ms) => offsetAt(ms, timeZone) === asIfUtc - ms)
    .sort((a, b) => a - b);
  const ms = candidates[0] ?? asIfUtc - offsetAt(asIfUtc - 86_400_000, timeZone);
  return new Date(ms).toISOString();
}
