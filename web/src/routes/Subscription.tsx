// The pages the subscription mails link to (their paths are fixed by the API's mails):
// - /status/:slug/subscription/confirm?token=… confirms once and says what the subscription is about;
// - /status/:slug/subscription?token=… changes the chosen services, or unsubscribes.
// On a page host they are /subscription/confirm and /subscription (App.tsx). The token stays in
// the address only: the server answers these paths with no-store and no referrer (page-route.ts).
import { useEffect, useRef, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { useMutation, useQuery, type CombinedError } from "urql";
import { choiceIds, ServicePicker, type ServiceChoice } from "../components/ServicePicker.tsx";
import { useTitle } from "../hooks.ts";
import { refusalOf } from "../refusal-words.ts";
import { CONFIRM_SUBSCRIPTION, PAGE_SERVICES, UNSUBSCRIBE, UPDATE_SUBSCRIPTION } from "../subscription-queries.ts";

interface Subscription {
  confirmed: boolean;
  page: { slug: string; name: string };
  services: { id: string; name: string }[];
}

/** Set by the server on a page host (App.tsx): links stay on the host, whose root is the page. */
const ON_PAGE_HOST = document.querySelector('meta[name="statuspage-slug"]') !== null;

/** The page's own address (a page host's root) and the subscription pages under it. */
function usePaths(props: { slug?: string }) {
  const params = useParams();
  const slug = props.slug ?? params.slug ?? "";
  const base = props.slug || ON_PAGE_HOST ? "" : `/status/${slug}`;
  return { slug, page: base || "/", manage: (token: string) => `${base}/subscription?token=${encodeURIComponent(token)}` };
}

/** A link that no longer works (expired, used up by an unsubscribe, mistyped) versus a server that did not answer. */
function linkRefused(error: CombinedError): boolean {
  const code = error.graphQLErrors[0]?.extensions.code;
  return code === "BAD_USER_INPUT" || code === "NOT_FOUND";
}

const servicesInWords = (services: Subscription["services"]) => (services.length === 0 ? "all services" : services.map((s) => s.name).join(", "));

export function ConfirmSubscription(props: { slug?: string }) {
  useTitle("Confirm your subscription");
  const paths = usePaths(props);
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [state, confirm] = useMutation(CONFIRM_SUBSCRIPTION);
  // Once per visit (StrictMode runs effects twice in development; a reload confirms again, harmlessly).
  const asked = useRef(false);
  useEffect(() => {
    if (!token || asked.current) return;
    asked.current = true;
    void confirm({ token });
  }, [token, confirm]);
  const subscription = state.data?.confirmSubscription;

  return (
    <main className="page narrow subscription-page">
      <h1>Email updates</h1>
      {!token || (state.error && linkRefused(state.error)) ? (
        <div role="alert" data-testid="confirm-refused">
          <p>
            <strong>This confirmation link has expired or is not valid.</strong> Links work for a limited time, and only the newest one sent to an
            address does.
          </p>
          <p>
            <Link to={paths.page}>Subscribe again on the status page</Link>: a new link is sent at once.
          </p>
        </div>
      ) : state.error ? (
        <div role="alert">
          <p className="error">{refusalOf(state.error).message}</p>
          <button type="button" onClick={() => void confirm({ token })}>
            Try again
          </button>
        </div>
      ) : subscription ? (
        <div role="status" data-testid="confirmed">
          <p>
            <strong>Subscription confirmed.</strong> You will get an email from {subscription.page.name} when an incident or maintenance touches{" "}
            {servicesInWords(subscription.services)}.
          </p>
          <p>
            <Link to={paths.manage(token)}>Change the services or unsubscribe</Link> · <Link to={paths.page}>{subscription.page.name} status</Link>
          </p>
        </div>
      ) : (
        <p className="muted">Confirming…</p>
      )}
    </main>
  );
}

export function ManageSubscription(props: { slug?: string }) {
  useTitle("Your email updates");
  const paths = usePaths(props);
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [pageResult] = useQuery({ query: PAGE_SERVICES, variables: { slug: paths.slug } });
  // Reading the subscription needs its token: confirming it again changes nothing and answers what it is about.
  const [current, read] = useMutation(CONFIRM_SUBSCRIPTION);
  const [saved, save] = useMutation(UPDATE_SUBSCRIPTION);
  const [removed, unsubscribe] = useMutation(UNSUBSCRIBE);
  const [choice, setChoice] = useState<ServiceChoice | null>(null);
  const [choiceError, setChoiceError] = useState<string | null>(null);
  const asked = useRef(false);
  useEffect(() => {
    if (!token || asked.current) return;
    asked.current = true;
    void read({ token }).then((result) => {
      const services = result.data?.confirmSubscription.services;
      if (services) setChoice({ all: services.length === 0, ids: new Set(services.map((s) => s.id)) });
    });
  }, [token, read]);

  const page = pageResult.data?.statusPage;
  const subscription: Subscription | undefined = saved.data?.updateSubscription ?? current.data?.confirmSubscription;
  const pageName = page?.organization.name ?? subscription?.page.name ?? "this page";
  const refused = !token || (current.error && linkRefused(current.error)) || (removed.error && linkRefused(removed.error));

  const submit = async () => {
    if (!choice) return;
    if (!choice.all && choice.ids.size === 0) {
      setChoiceError("Choose at least one service, or all services — or unsubscribe below.");
      return;
    }
    await save({ input: { token, serviceIds: choiceIds(choice) } });
  };

  if (removed.data?.unsubscribe) {
    return (
      <main className="page narrow subscription-page">
        <h1>Email updates</h1>
        <div role="status" data-testid="unsubscribed">
          <p>
            <strong>You are unsubscribed.</strong> No more mail from {pageName} goes to this address.
          </p>
          <p>
            Changed your mind? <Link to={paths.page}>Subscribe again on the status page</Link>.
          </p>
        </div>
      </main>
    );
  }
  return (
    <main className="page narrow subscription-page">
      <h1>Your email updates from {pageName}</h1>
      {refused ? (
        <div role="alert" data-testid="manage-refused">
          <p>
            <strong>This link has expired or is not valid</strong>, or the address was unsubscribed already.
          </p>
          <p>
            <Link to={paths.page}>Subscribe again on the status page</Link>.
          </p>
        </div>
      ) : current.error ? (
        <p className="error" role="alert">
          {refusalOf(current.error).message}
        </p>
      ) : !choice || !page ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <form
            className="form card"
            aria-label="Services to hear about"
            onSubmit={(e) => {
              e.preventDefault();
              void submit();
            }}
          >
            <ServicePicker
              services={page.services}
              value={choice}
              onChange={(next) => {
                setChoice(next);
                setChoiceError(null);
              }}
              error={choiceError}
            />
            <div className="buttons">
              <button type="submit" disabled={saved.fetching}>
                {saved.fetching ? "Saving…" : "Save"}
              </button>
            </div>
            {saved.data && !saved.fetching && (
              <p role="status" data-testid="subscription-saved">
                Saved: you get updates about {servicesInWords(saved.data.updateSubscription.services)}.
              </p>
            )}
            {saved.error && (
              <p className="error" role="alert">
                {refusalOf(saved.error).message}
              </p>
            )}
          </form>
          <section className="card" aria-labelledby="unsubscribe">
            <h2 id="unsubscribe">Unsubscribe</h2>
            <p>Stop every mail from {pageName} to this address.</p>
            <button type="button" className="danger" disabled={removed.fetching} onClick={() => void unsubscribe({ token })}>
              Unsubscribe
            </button>
            {removed.error && !linkRefused(removed.error) && (
              <p className="error" role="alert">
                {refusalOf(removed.error).message}
              </p>
            )}
          </section>
          {subscription && !subscription.confirmed && <p className="muted small">This subscription is not confirmed yet.</p>}
        </>
      )}
      <p>
        <Link to={paths.page}>{pageName} status</Link>
      </p>
    </main>
  );
}
