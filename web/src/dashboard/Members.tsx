// Members: everyone sees who belongs; admins add, change roles and remove (the server refuses
// removing or demoting the last admin, and its message is shown).
import type { FormEvent } from "react";
import { formText } from "../form.ts";
import { useMutation } from "urql";
import { ErrorMessage } from "../components/ErrorMessage.tsx";
import { graphql } from "../gql/index.ts";
import type { Role } from "../gql/graphql.ts";
import { useLiveQuery, useOrg } from "./org-context.tsx";

const MEMBERS = graphql(`
  query Members($slug: String!) {
    viewer { id }
    organization(slug: $slug) { id members { role user { id name email } } }
  }
`);
const ADD = graphql(`mutation AddMember($input: AddMemberInput!) { addMember(input: $input) { role } }`);
const CHANGE = graphql(`mutation UpdateMemberRole($input: UpdateMemberRoleInput!) { updateMemberRole(input: $input) { role } }`);
const REMOVE = graphql(`mutation RemoveMember($input: RemoveMemberInput!) { removeMember(input: $input) }`);

export function Members() {
  const org = useOrg();
  const [result, reload] = useLiveQuery(MEMBERS, { slug: org.slug });
  const [changeState, change] = useMutation(CHANGE);
  const [removeState, remove] = useMutation(REMOVE);
  const members = result.data?.organization?.members;
  return (
    <section>
      <h1>Members</h1>
      {org.isAdmin && <AddMember onAdded={() => reload({ requestPolicy: "network-only" })} />}
      {result.error && !members && <p className="muted">Only admins can list members.</p>}
      <ul className="rows">
        {members?.map((m) => (
          <li key={m.user.id} className="row">
            <div className="row-main">
              <strong>{m.user.name}</strong> <span className="muted small">{m.user.email}</span> <span className="pill">{m.role === "ADMIN" ? "Admin" : "Member"}</span>
            </div>
            {org.isAdmin && (
              <div className="row-actions">
                <label>
                  <span className="visually-hidden">Role of {m.user.email}</span>
                  <select value={m.role} onChange={(e) => void change({ input: { organizationId: org.id, userId: m.user.id, role: e.target.value as Role } }).then(() => reload({ requestPolicy: "network-only" }))}>
                    <option value="ADMIN">Admin</option>
                    <option value="MEMBER">Member</option>
                  </select>
                </label>
                <button
                  type="button"
                  className="danger"
                  onClick={() => window.confirm(`Remove ${m.user.email}?`) && void remove({ input: { organizationId: org.id, userId: m.user.id } }).then(() => reload({ requestPolicy: "network-only" }))}
                >
                  Remove
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
      <ErrorMessage error={changeState.error ?? removeState.error} />
    </section>
  );
}

function AddMember({ onAdded }: { onAdded: () => void }) {
  const org = useOrg();
  const [{ fetching, error }, add] = useMutation(ADD);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const optional = (name: string) => formText(form, name) || undefined;
    const result = await add({
      input: { organizationId: org.id, email: formText(form, "email"), role: formText(form, "role") as Role, name: optional("name"), password: formText(form, "password", { raw: true }) || undefined },
    });
    if (!result.error) {
      formElement.reset();
      onAdded();
    }
  };
  return (
    <details className="card">
      <summary>Add a member</summary>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label>Email <input name="email" type="email" required /></label>
        <label>
          Role
          <select name="role" defaultValue="MEMBER"><option value="MEMBER">Member</option><option value="ADMIN">Admin</option></select>
        </label>
        <label>Name <input name="name" /><span className="hint">For a new account.</span></label>
        <label>Initial password <input name="password" type="password" minLength={8} autoComplete="new-password" /><span className="hint">For a new account.</span></label>
        <ErrorMessage error={error} />
        <button type="submit" disabled={fetching}>Add member</button>
      </form>
    </details>
  );
}
