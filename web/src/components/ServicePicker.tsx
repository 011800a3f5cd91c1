// Which services an email subscription is about: all of them (also those added later), or the
// ones ticked, grouped as the status page groups them. Controlled; the caller sends `ids` (empty
// for all) and shows refusals through `error`.
import { useId, useMemo } from "react";

export interface PickerService {
  id: string;
  name: string;
  group?: string | null;
}

export interface ServiceChoice {
  all: boolean;
  ids: ReadonlySet<string>;
}

export const ALL_SERVICES: ServiceChoice = { all: true, ids: new Set() };

/** The page's services by group, in the page's order; the ungrouped ones under "". */
export function groupServices<S extends PickerService>(services: readonly S[]): [string, S[]][] {
  const byGroup = new Map<string, S[]>();
  for (const service of services) {
    const key = service.group ?? "";
    byGroup.set(key, [...(byGroup.get(key) ?? []), service]);
  }
  return [...byGroup.entries()];
}

/** The choice as the API takes it: no ids means every service. */
export const choiceIds = (choice: ServiceChoice): string[] => (choice.all ? [] : [...choice.ids]);

export function ServicePicker({
  services,
  value,
  onChange,
  error,
}: {
  services: readonly PickerService[];
  value: ServiceChoice;
  onChange: (choice: ServiceChoice) => void;
  error?: string | null;
}) {
  const id = useId();
  const groups = useMemo(() => groupServices(services), [services]);
  const toggle = (serviceId: string, on: boolean) => {
    const ids = new Set(value.ids);
    if (on) ids.add(serviceId);
    else ids.delete(serviceId);
    onChange({ all: false, ids });
  };
  const errorId = `${id}-error`;
  return (
    <fieldset className="service-picker" aria-describedby={error ? errorId : undefined}>
      <legend>Which services?</legend>
      <label className="check">
        <input type="radio" name={`${id}-scope`} checked={value.all} onChange={() => onChange({ all: true, ids: value.ids })} /> All services, also ones added later
      </label>
      <label className="check">
        <input type="radio" name={`${id}-scope`} checked={!value.all} disabled={services.length === 0} onChange={() => onChange({ all: false, ids: value.ids })} /> Only the
        services I choose
      </label>
      {!value.all && (
        <div className="service-choices">
          {groups.map(([group, members]) => {
            const boxes = members.map((service) => (
              <label key={service.id} className="check">
                <input type="checkbox" name="serviceIds" value={service.id} checked={value.ids.has(service.id)} onChange={(e) => toggle(service.id, e.target.checked)} />{" "}
                {service.name}
              </label>
            ));
            return group ? (
              <fieldset key={group} className="service-choice-group">
                <legend>{group}</legend>
                {boxes}
              </fieldset>
            ) : (
              <div key="" className="service-choice-group">
                {boxes}
              </div>
            );
          })}
        </div>
      )}
      {error && (
        <p className="error field-error" id={errorId} role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
