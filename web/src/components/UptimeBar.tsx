// 90 small bars, one per day, coloured by the day's worst status; the tooltip gives the ratio.
import { tone } from "./status.ts";

export function UptimeBar({ days }: { days: { date: string; operationalRatio: number; worstStatus: string }[] }) {
  if (days.length === 0) return null;
  const total = days.reduce((sum, day) => sum + day.operationalRatio, 0) / days.length;
  return (
    <div className="uptime">
      <div className="uptime-bars" role="img" aria-label={`Uptime ${(total * 100).toFixed(2)}% over ${days.length} days`}>
        {days.map((day) => (
          <span key={day.date} className={`uptime-day uptime-${tone(day.worstStatus)}`} title={`${day.date}: ${(day.operationalRatio * 100).toFixed(2)}% up`} />
        ))}
      </div>
      <div className="muted small">{(total * 100).toFixed(2)}% uptime · {days.length} days</div>
    </div>
  );
}
