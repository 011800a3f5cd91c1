// One small bar per day of the window, coloured by the day's worst status; days before the
// service existed are grey ("no data"), so every service shows the same scale.
//
// Each day with data is a button: hovering, tapping or focusing it shows its summary (date,
// uptime, worst status, the incidents of the day) under the bar, and its accessible name says
// the same. The bar is one tab stop (today first); the arrow keys, Home and End move between
// days. Narrow screens show fewer days (90 → 60 → 30, by CSS on the `uptime-age-*` classes) so
// the bars never push the page sideways. Even 30 days leave a bar about 9 px wide on a phone, under
// the 24 px a finger needs (WCAG 2.5.8): an open summary has "Earlier day" / "Later day" buttons of
// full size, the equivalent control that criterion allows, so a tap near the day and a step get there.
import { useMemo, useRef, useState, type KeyboardEvent } from "react";
import { SERVICE_STATUS_LABEL, tone } from "./status.ts";
import { formatDay } from "./time.ts";
import { useViewerClock } from "./Time.tsx";

export interface UptimeDayView {
  date: string;
  operationalRatio: number;
  worstStatus: string;
  incidentIds?: readonly string[];
}

/** The windows shown, widest first; CSS picks one by the screen's width. */
const WINDOWS = [90, 60, 30] as const;

const percent = (ratio: number) => `${(ratio * 100).toFixed(2)}%`;

/** Which windows leave a day out: "uptime-age-60" hides it below the 90-day width, and so on. */
function ageClass(age: number): string {
  return WINDOWS.slice(1)
    .filter((window) => age >= window)
    .map((window) => ` uptime-age-${window}`)
    .join("");
}

export function UptimeBar({
  days,
  serviceName,
  incidents = [],
  incidentHref,
}: {
  days: readonly UptimeDayView[];
  serviceName: string;
  /** The page's incidents, to name those of a day (ids it does not know are counted, not named). */
  incidents?: readonly { id: string; title: string }[];
  incidentHref?: (id: string) => string;
}) {
  const window = WINDOWS[0];
  const shown = days.slice(-window);
  const [active, setActive] = useState(shown.length - 1); // the tab stop: today unless moved
  const [open, setOpen] = useState<number | null>(null); // the day whose summary shows
  const titles = useMemo(() => new Map(incidents.map((i) => [i.id, i.title])), [incidents]);
  const barsRef = useRef<HTMLDivElement>(null);
  const { locale } = useViewerClock();
  if (shown.length === 0) return null;
  const missing = window - shown.length;
  const totals = WINDOWS.map((w) => {
    const inWindow = shown.slice(-w);
    return { window: w, ratio: inWindow.reduce((sum, day) => sum + day.operationalRatio, 0) / inWindow.length, count: inWindow.length };
  });
  const summary = (day: UptimeDayView) => {
    const ids = day.incidentIds ?? [];
    const named = ids.map((id) => titles.get(id)).filter((title): title is string => Boolean(title));
    const incidentsText = ids.length === 0 ? "no incidents" : `${ids.length} ${ids.length === 1 ? "incident" : "incidents"}${named.length ? `: ${named.join("; ")}` : ""}`;
    return `${formatDay(day.date, locale)} (UTC): ${percent(day.operationalRatio)} up, ${SERVICE_STATUS_LABEL[day.worstStatus]?.toLowerCase() ?? day.worstStatus} at worst, ${incidentsText}`;
  };
  const selected = open === null ? null : shown[open];
  /** The days this screen shows (CSS hides the oldest on narrow ones), oldest first. */
  const visibleDays = () => [...(barsRef.current?.querySelectorAll<HTMLButtonElement>("button.uptime-day") ?? [])].filter((b) => b.offsetParent !== null);
  const step = (by: -1 | 1) => {
    if (!selected) return;
    const buttons = visibleDays();
    const here = buttons.findIndex((b) => b.dataset.date === selected.date);
    const to = buttons[here + by]?.dataset.date;
    const index = shown.findIndex((d) => d.date === to);
    if (index >= 0) {
      setActive(index);
      setOpen(index);
    }
  };
  const edge = (() => {
    if (!selected || !barsRef.current) return { first: false, last: selected === shown[shown.length - 1] };
    const buttons = visibleDays();
    return { first: buttons[0]?.dataset.date === selected.date, last: buttons[buttons.length - 1]?.dataset.date === selected.date };
  })();

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const buttons = visibleDays();
    const here = buttons.indexOf(event.target as HTMLButtonElement);
    if (here < 0) return;
    const to = { ArrowLeft: here - 1, ArrowRight: here + 1, Home: 0, End: buttons.length - 1 }[event.key];
    if (event.key === "Escape") return setOpen(null);
    if (to === undefined) return;
    event.preventDefault();
    buttons[Math.max(0, Math.min(buttons.length - 1, to))]?.focus();
  };

  return (
    <div
      className="uptime"
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget)) setOpen(null);
      }}
    >
      <div ref={barsRef} className="uptime-bars" role="group" aria-label={`${serviceName}: uptime by day, today last (arrow keys move between days)`} onKeyDown={onKeyDown} onMouseLeave={(event) => {
          const bars = event.currentTarget;
          setOpen((o) => (bars.contains(document.activeElement) ? o : null));
        }}>
        {Array.from({ length: missing }, (_, i) => (
          <span key={`none-${i}`} className={`uptime-day uptime-none${ageClass(window - 1 - i)}`} aria-hidden="true" />
        ))}
        {shown.map((day, i) => (
          <button
            key={day.date}
            type="button"
            className={`uptime-day uptime-${tone(day.worstStatus)}${ageClass(shown.length - 1 - i)}`}
            tabIndex={i === active ? 0 : -1}
            aria-label={summary(day)}
            data-date={day.date}
            data-open={open === i ? "" : undefined}
            onFocus={() => {
              setActive(i);
              setOpen(i);
            }}
            onClick={() => setOpen(i)}
            onMouseEnter={() => setOpen(i)}
          />
        ))}
      </div>
      {selected && <DaySummary day={selected} titles={titles} incidentHref={incidentHref} locale={locale} step={step} edge={edge} />}
      <div className="uptime-legend muted small">
        {totals.map((t) => (
          <span key={t.window} className={`uptime-window uptime-window-${t.window}`}>
            <span>{t.window} days ago</span>
            <span>{percent(t.ratio)} uptime</span>
            <span>Today</span>
          </span>
        ))}
      </div>
    </div>
  );
}

function DaySummary({
  day,
  titles,
  incidentHref,
  locale,
  step,
  edge,
}: {
  day: UptimeDayView;
  titles: Map<string, string>;
  incidentHref?: (id: string) => string;
  locale: string;
  step: (by: -1 | 1) => void;
  edge: { first: boolean; last: boolean };
}) {
  const ids = day.incidentIds ?? [];
  const unnamed = ids.filter((id) => !titles.has(id)).length;
  return (
    <div className="uptime-summary small" data-testid="uptime-summary">
      <strong>{formatDay(day.date, locale)}</strong> <span className="muted">(UTC day)</span> · {percent(day.operationalRatio)} up ·{" "}
      <span className={`pill pill-${tone(day.worstStatus)}`}>{SERVICE_STATUS_LABEL[day.worstStatus] ?? day.worstStatus}</span>
      {ids.length === 0 ? (
        <span> · No incidents</span>
      ) : (
        <ul className="uptime-incidents">
          {ids
            .filter((id) => titles.has(id))
            .map((id) => (
              <li key={id}>{incidentHref ? <a href={incidentHref(id)}>{titles.get(id)}</a> : titles.get(id)}</li>
            ))}
          {unnamed > 0 && <li>{unnamed === ids.length ? `${unnamed} ${unnamed === 1 ? "incident" : "incidents"}` : `and ${unnamed} more`}</li>}
        </ul>
      )}
      <div className="uptime-steps">
        {/* aria-disabled, not disabled: a disabled button drops the focus, which would close the summary. */}
        <button type="button" className="secondary" onClick={() => step(-1)} aria-disabled={edge.first}>
          ‹ Earlier day
        </button>
        <button type="button" className="secondary" onClick={() => step(1)} aria-disabled={edge.last}>
          Later day ›
        </button>
      </div>
    </div>
  );
}
