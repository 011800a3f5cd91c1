// Organisation settings (admins): the name, and a custom domain that serves the status page.
import type { FormEvent } from "react";
import { useMutation } from "urql";
import { ErrorMessage } from "../components/ErrorMessage.tsx";
import { formText } from "../form.ts";
import { graphql } from "../gql/index.ts";
import { useLiveQuery, useOrg } from "./org-context.tsx";

const SETTINGS = graphql(`query OrganizationSettings($slug: String!) { organization(slug: $slug) { id name slug customDomain } }`);
const UPDATE = graphql(`mutation UpdateOrganization($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { id name customDomain } }`);

export function Settings() {
  const org = useOrg();
  const [result] = useLiveQuery(SETTINGS, { slug: org.slug });
  const [{ fetching, error, data: saved }, update] = useMutation(UPDATE);
  const current = result.data?.organization;
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
        <form className="form" onSubmit={(e) => void submit(e)} aria-label="Organisation settings" key={`${current.name}|${current.customDomain ?? ""}`}>
          <label>Name <input name="name" defaultValue={current.name} required maxLength={100} /></label>
          <label>
            Custom domain <input name="customDomain" defaultValue={current.customDomain ?? ""} placeholder="status.example.com" />
            <span className="hint">Point this host name at the server; it then shows this status page at its root. Empty removes it.</span>
          </label>
          <p className="muted small">Status page address: <a href={`/status/${current.slug}`}>/status/{current.slug}</a></p>
          <ErrorMessage error={error} />
          {saved && !error && <p role="status" className="notice">Saved.</p>}
          <button type="submit" disabled={fetching}>Save</button>
        </form>
      )}
    </section>
  );
}
