// Organisation settings (admins): the name, and a custom domain that serves the status page once
// proven: a claimed host waits (pendingCustomDomain) until it answers its challenge, by HTTP through
// the host or by a DNS TXT record, and "Verify" checks it (docs/adr/0010).
import { useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { ErrorMessage } from "../components/ErrorMessage.tsx";
import { formatTime } from "../components/status.ts";
import { formText } from "../form.ts";
import { graphql } from "../gql/index.ts";
import { useLiveQuery, useOrg } from "./org-context.tsx";

const SETTINGS = graphql(`query OrganizationSettings($slug: String!) {
  organization(slug: $slug) {
    id name slug customDomain customDomainVerifiedAt pendingCustomDomain
    customDomainChallenge { domain token httpUrl dnsName dnsValue }
  }
}`);
const UPDATE = graphql(`mutation UpdateOrganization($input: UpdateOrganizationInput!) {
  updateOrganization(input: $input) {
    id name customDomain customDomainVerifiedAt pendingCustomDomain
    customDomainChallenge { domain token httpUrl dnsName dnsValue }
  }
}`);
const VERIFY = graphql(`mutation VerifyCustomDomain($organizationId: ID!) {
  verifyCustomDomain(organizationId: $organizationId) {
    id name customDomain customDomainVerifiedAt pendingCustomDomain
    customDomainChallenge { domain token httpUrl dnsName dnsValue }
  }
}`);

export function Settings() {
  const org = useOrg();
  const [result] = useLiveQuery(SETTINGS, { slug: org.slug });
  const [{ fetching, error, data: saved }, update] = useMutation(UPDATE);
  const [verifyState, verify] = useMutation(VERIFY);
  const current = result.data?.organization;
  const challenge = current?.customDomainChallenge;
  // A refusal speaks of the challenge it was for: a new claim (a new token) starts clean.
  const [verifiedToken, setVerifiedToken] = useState<string | null>(null);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    await update({ input: { id: org.id, name: formText(form, "name"), customDomain: formText(form, "customDomain") || null } });
  };
  return (
    <section>
      <h1>Settings</h1>
      <ErrorMessage error={result.error} />
      {current && (
        <>
          <form
            className="form"
            onSubmit={(e) => void submit(e)}
            aria-label="Organisation settings"
            key={`${current.name}|${current.customDomain ?? ""}|${current.pendingCustomDomain ?? ""}`}
          >
            <label>Name <input name="name" defaultValue={current.name} required maxLength={100} /></label>
            <label>
              Custom domain <input name="customDomain" defaultValue={current.pendingCustomDomain ?? current.customDomain ?? ""} placeholder="status.example.com" />
              <span className="hint">A host name of your own that shows this status page at its root. It serves nothing until you prove it is yours (below). Empty removes it.</span>
            </label>
            <p className="muted small">Status page address: <a href={`/status/${current.slug}`}>/status/{current.slug}</a></p>
            <ErrorMessage error={error} />
            {saved && !error && <p role="status" className="notice">Saved.</p>}
            <button type="submit" disabled={fetching}>Save</button>
          </form>
          {current.customDomain && (
            <p className="notice" data-testid="verified-domain" style={{ marginTop: "1rem" }}>
              <strong>{current.customDomain}</strong> is verified{current.customDomainVerifiedAt ? ` (${formatTime(current.customDomainVerifiedAt)})` : ""} and serves this status page:{" "}
              <a href={`http://${current.customDomain}/`}>http://{current.customDomain}/</a>
            </p>
          )}
          {challenge && (
            <section aria-label="Proof of ownership" className="notice" style={{ marginTop: "1rem" }}>
              <h2>Prove that {challenge.domain} is yours</h2>
              <p>{challenge.domain} is claimed but does not serve this page yet. Do one of these, then press Verify:</p>
              <ul>
                <li>
                  <strong>HTTP:</strong> point {challenge.domain} at this server (a DNS A or CNAME record). The server then answers{" "}
                  <code className="code" data-testid="challenge-url">{challenge.httpUrl}</code> with the token itself. Redirects are not followed.
                </li>
                <li>
                  <strong>DNS:</strong> publish a TXT record named <code className="code">{challenge.dnsName}</code> with the value{" "}
                  <code className="code" data-testid="challenge-token">{challenge.dnsValue}</code>. This is the only way to take over a domain that
                  another organisation serves.
                </li>
              </ul>
              {verifiedToken === challenge.token && <ErrorMessage error={verifyState.error} />}
              <button
                type="button"
                disabled={verifyState.fetching}
                onClick={() => {
                  setVerifiedToken(challenge.token);
                  void verify({ organizationId: org.id });
                }}
              >
                {verifyState.fetching ? "Verifying…" : "Verify"}
              </button>
            </section>
          )}
        </>
      )}
    </section>
  );
}
