// One small bar per day of the window, coloured by the day's worst status; days before the
// service existed are grey ("no data"), so every service shows the same 90-day scale.
import { tone } from "./status.ts";

export function UptimeBar({ days, window = 90 }: { days: { date: string; operationalRatio: number; worstStatus: string }[]; window?: number }) {
  if (days.length === 0) return null;
  const total = days.reduce((sum, day) => sum + day.operationalRatio, 0) / days.length;
  const missing = Math.max(0, window - days.length);
  return (
    <div className="uptime">
      <div className="uptime-bars" role="img" aria-label={`Uptime ${(total * 100).toFixed(2)}% over ${days.length} ${days.length === 1 ? "day" : "days"}`}>
        {Array.from({ length: missing }, (_, i) => <span key={`none-${i}`} className="uptime-day uptime-none" title="No data" />)}
        {days.map((day) => (
          <span key={day.date} className={`uptime-day uptime-${tone(day.worstStatus)}`} title={`${day.date}: ${(day.operationalRatio * 100).toFixed(2)}% up`} />
        ))}
      </div>
      <div className="uptime-legend muted small">
        <span>{window} days ago</span>
        <span>{(total * 100).toFixed(2)}% uptime</span>
        <span>Today</span>
      </div>
    </div>
  );
}
