// API tokens: the secret is shown once, with a copy button; tokens can be revoked.
import { useState, type FormEvent } from "react";
import { formText } from "../form.ts";
import { useMutation } from "urql";
import { ErrorMessage } from "../components/ErrorMessage.tsx";
import { formatTime } from "../components/status.ts";
import { graphql } from "../gql/index.ts";
import type { Role } from "../gql/graphql.ts";
import { useLiveQuery, useOrg } from "./org-context.tsx";

const TOKENS = graphql(`query ApiTokens($slug: String!) { organization(slug: $slug) { id apiTokens { id name role createdAt lastUsedAt } } }`);
const CREATE = graphql(`mutation CreateApiToken($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id } } }`);
const REVOKE = graphql(`mutation RevokeApiToken($id: ID!) { revokeApiToken(id: $id) }`);

export function Tokens() {
  const org = useOrg();
  const [result, reload] = useLiveQuery(TOKENS, { slug: org.slug });
  const [createState, create] = useMutation(CREATE);
  const [revokeState, revoke] = useMutation(REVOKE);
  const [secret, setSecret] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const created = await create({ input: { organizationId: org.id, name: formText(form, "name"), role: formText(form, "role") as Role } });
    if (created.data) {
      setSecret(created.data.createApiToken.token);
      setCopied(false);
      formElement.reset();
      reload({ requestPolicy: "network-only" });
    }
  };
  return (
    <section>
      <h1>API tokens</h1>
      <ErrorMessage error={result.error} />
      <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Create an API token">
        <label>Name <input name="name" required maxLength={100} /></label>
        <label>Role <select name="role" defaultValue="MEMBER"><option value="MEMBER">Member (read)</option><option value="ADMIN">Admin</option></select></label>
        <button type="submit" disabled={createState.fetching}>Create token</button>
        <ErrorMessage error={createState.error} />
      </form>
      {secret && (
        <div className="notice" role="status">
          <p>Copy this token now: it is not shown again.</p>
          <code data-testid="new-token">{secret}</code>{" "}
          <button type="button" onClick={() => void navigator.clipboard.writeText(secret).then(() => setCopied(true))}>{copied ? "Copied" : "Copy"}</button>
        </div>
      )}
      <ul className="rows">
        {result.data?.organization?.apiTokens.map((t) => (
          <li key={t.id} className="row">
            <div className="row-main">
              <strong>{t.name}</strong> <span className="pill">{t.role === "ADMIN" ? "Admin" : "Member"}</span>
              <div className="muted small">Created {formatTime(t.createdAt)} · {t.lastUsedAt ? `last used ${formatTime(t.lastUsedAt)}` : "never used"}</div>
            </div>
            <button type="button" className="danger" onClick={() => window.confirm(`Revoke “${t.name}”? Clients using it stop working.`) && void revoke({ id: t.id }).then(() => reload({ requestPolicy: "network-only" }))}>
              Revoke
            </button>
          </li>
        ))}
      </ul>
      {result.data?.organization?.apiTokens.length === 0 && <p className="muted">No tokens.</p>}
      <ErrorMessage error={revokeState.error} />
    </section>
  );
}
