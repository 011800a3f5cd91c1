// "Subscribe" on the public status page: a modal dialog (the browser's own <dialog>: focus kept
// inside, Escape closes, focus back on the button) asking for an address and the services, then
// always the same answer — the API never says whether an address was already subscribed.
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { ALL_SERVICES, choiceIds, ServicePicker, type PickerService, type ServiceChoice } from "../components/ServicePicker.tsx";
import { formText } from "../form.ts";
import { SUBSCRIBE } from "../subscription-queries.ts";
import { looksLikeEmail, subscriptionRefusal, type SubscriptionRefusal } from "../subscription-refusal.ts";

/** How long a confirmation link works (the server's CONFIRMATION_TTL_MS, api/src/modules/subscribers/tokens.ts). */
const CONFIRMATION_HOURS = 48;

export function SubscribeButton({ slug, pageName, services }: { slug: string; pageName: string; services: readonly PickerService[] }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);
  // Back to the button once the dialog is gone (it is unmounted, so the browser's own return of focus does not happen).
  useEffect(() => {
    if (wasOpen.current && !open) button.current?.focus();
    wasOpen.current = open;
  }, [open]);
  return (
    <>
      <button type="button" ref={button} className="subscribe-button" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        Subscribe
      </button>
      {open && <SubscribeDialog slug={slug} pageName={pageName} services={services} onClose={() => setOpen(false)} />}
    </>
  );
}

function SubscribeDialog({ slug, pageName, services, onClose }: { slug: string; pageName: string; services: readonly PickerService[]; onClose: () => void }) {
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const [state, subscribe] = useMutation(SUBSCRIBE);
  const [choice, setChoice] = useState<ServiceChoice>(ALL_SERVICES);
  const [refusal, setRefusal] = useState<SubscriptionRefusal | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    // showModal focuses the first control (Close); the address is what the visitor came to type.
    element?.querySelector<HTMLInputElement>('input[name="email"]')?.focus();
    return () => element?.close();
  }, []);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const email = formText(new FormData(event.currentTarget), "email");
    if (!looksLikeEmail(email)) return setRefusal({ field: "email", message: "Enter a valid email address, like name@example.com." });
    if (!choice.all && choice.ids.size === 0) return setRefusal({ field: "serviceIds", message: "Choose at least one service, or all services." });
    setRefusal(null);
    const result = await subscribe({ input: { slug, email, serviceIds: choiceIds(choice) } });
    if (result.error) return setRefusal(subscriptionRefusal(result.error));
    setSentTo(email);
  };
  const emailError = refusal?.field === "email" ? refusal.message : null;

  return (
    // The dialog's own Escape (cancel) closes it through React's state, like the Close button.
    <dialog ref={dialog} className="dialog" aria-labelledby={`${id}-title`} onCancel={(e) => (e.preventDefault(), onClose())}>
      <div className="dialog-head">
        <h2 id={`${id}-title`}>Get updates from {pageName}</h2>
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </div>
      {sentTo !== null ? (
        <div role="status" data-testid="subscribe-sent">
          <p>
            <strong>Check your inbox to confirm.</strong>
          </p>
          <p>
            If {sentTo} can receive mail, a message with a confirmation link is on its way; the link works for {CONFIRMATION_HOURS} hours. Nothing
            else is sent until you open it; every mail has a link to change the services or unsubscribe.
          </p>
          <div className="buttons">
            <button type="button" onClick={onClose} autoFocus>
              Done
            </button>
          </div>
        </div>
      ) : (
        <form className="form" noValidate onSubmit={(e) => void submit(e)} onInput={() => setRefusal(null)}>
          <p className="muted small">We email you when an incident or maintenance touches the services you choose.</p>
          <label>
            Email
            <input
              name="email"
              type="email"
              autoComplete="email"
              inputMode="email"
              required
              maxLength={254}
              aria-invalid={emailError ? true : undefined}
              aria-describedby={emailError ? `${id}-email-error` : undefined}
            />
            {emailError && (
              <span className="error field-error" id={`${id}-email-error`} role="alert">
                {emailError}
              </span>
            )}
          </label>
          <ServicePicker
            services={services}
            value={choice}
            onChange={(next) => (setChoice(next), setRefusal(null))}
            error={refusal?.field === "serviceIds" ? refusal.message : null}
          />
          {refusal?.field === null && (
            <p className="error" role="alert">
              {refusal.message}
            </p>
          )}
          <div className="buttons">
            <button type="submit" disabled={state.fetching}>
              {state.fetching ? "Subscribing…" : "Subscribe"}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
