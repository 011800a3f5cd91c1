// Members: admins invite people by email (the link is shown once, with a copy button, and is
// mailed when the server has mail), revoke pending invitations, change roles and remove members.
// Anyone may leave. Nobody sets another person's password. The server refuses removing, demoting
// or the leaving of the last admin, and its message is shown.
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { useMutation } from "urql";
import { ErrorMessage } from "../components/ErrorMessage.tsx";
import { formatTime } from "../components/status.ts";
import { formText } from "../form.ts";
import { graphql } from "../gql/index.ts";
import type { Role } from "../gql/graphql.ts";
import { useLiveQuery, useOrg } from "./org-context.tsx";

const MEMBERS = graphql(`
  query Members($slug: String!) {
    organization(slug: $slug) { id members { role user { id name email } } }
  }
`);
const INVITATIONS = graphql(`query Invitations($slug: String!) { organization(slug: $slug) { id invitations { id email role createdAt expiresAt } } }`);
const INVITE = graphql(`mutation InviteMember($input: InviteMemberInput!) { inviteMember(input: $input) { url invitation { id email } } }`);
const REVOKE_INVITATION = graphql(`mutation RevokeInvitation($id: ID!) { revokeInvitation(id: $id) }`);
const CHANGE = graphql(`mutation UpdateMemberRole($input: UpdateMemberRoleInput!) { updateMemberRole(input: $input) { role } }`);
const REMOVE = graphql(`mutation RemoveMember($input: RemoveMemberInput!) { removeMember(input: $input) }`);
const LEAVE = graphql(`mutation LeaveOrganization($organizationId: ID!) { leaveOrganization(organizationId: $organizationId) }`);

const roleLabel = (role: Role) => (role === "ADMIN" ? "Admin" : "Member");

export function Members() {
  const org = useOrg();
  return (
    <section>
      <h1>Members</h1>
      {org.isAdmin ? (
        <>
          <Invitations />
          <MemberList />
        </>
      ) : (
        <p className="muted">You are a member of {org.name}. Only admins can see and invite members; you can leave the organisation here.</p>
      )}
      <Leave />
    </section>
  );
}

/**
 * Admins only: a MEMBER's query would be refused, and graphcache would write that refusal over
 * the dashboard's own organisation query (both are Query.organization(slug)).
 */
function MemberList() {
  const org = useOrg();
  const [result, reload] = useLiveQuery(MEMBERS, { slug: org.slug });
  const [changeState, change] = useMutation(CHANGE);
  const [removeState, remove] = useMutation(REMOVE);
  const members = result.data?.organization?.members;
  const refresh = () => reload({ requestPolicy: "network-only" });
  return (
    <>
      <ErrorMessage error={result.error} />
      <ul className="rows">
        {members?.map((m) => (
          <li key={m.user.id} className="row">
            <div className="row-main">
              <strong>{m.user.name}</strong> <span className="muted small">{m.user.email}</span> <span className="pill">{roleLabel(m.role)}</span>
            </div>
            <div className="row-actions">
              <label>
                <span className="visually-hidden">Role of {m.user.email}</span>
                <select value={m.role} onChange={(e) => void change({ input: { organizationId: org.id, userId: m.user.id, role: e.target.value as Role } }).then(refresh)}>
                  <option value="ADMIN">Admin</option>
                  <option value="MEMBER">Member</option>
                </select>
              </label>
              <button
                type="button"
                className="danger"
                onClick={() => window.confirm(`Remove ${m.user.email}?`) && void remove({ input: { organizationId: org.id, userId: m.user.id } }).then(refresh)}
              >
                Remove
              </button>
            </div>
          </li>
        ))}
      </ul>
      <ErrorMessage error={changeState.error ?? removeState.error} />
    </>
  );
}

/** Invite by email and role; the new link once; pending invitations with revoke. Admins only. */
function Invitations() {
  const org = useOrg();
  const [result, reload] = useLiveQuery(INVITATIONS, { slug: org.slug });
  const [inviteState, invite] = useMutation(INVITE);
  const [revokeState, revoke] = useMutation(REVOKE_INVITATION);
  const [created, setCreated] = useState<{ url: string; email: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const refresh = () => reload({ requestPolicy: "network-only" });
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const answer = await invite({ input: { organizationId: org.id, email: formText(form, "email"), role: formText(form, "role") as Role } });
    if (answer.data) {
      setCreated({ url: answer.data.inviteMember.url, email: answer.data.inviteMember.invitation.email });
      setCopied(false);
      formElement.reset();
      refresh();
    }
  };
  const invitations = result.data?.organization?.invitations ?? [];
  return (
    <div className="card">
      <h2>Invite someone</h2>
      <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Invite a member">
        <label className="wide">Email <input name="email" type="email" required maxLength={254} /></label>
        <label>Role <select name="role" defaultValue="MEMBER"><option value="MEMBER">Member (read)</option><option value="ADMIN">Admin</option></select></label>
        <button type="submit" disabled={inviteState.fetching}>Invite</button>
      </form>
      <ErrorMessage error={inviteState.error} />
      {created && (
        <div className="notice" role="status">
          <p>
            Send this link to {created.email}: it is not shown again. It works once, for seven days. (It is also mailed to them when
            this server has mail set up.)
          </p>
          <code data-testid="invitation-link">{created.url}</code>{" "}
          <button type="button" onClick={() => void navigator.clipboard.writeText(created.url).then(() => setCopied(true))}>{copied ? "Copied" : "Copy link"}</button>
        </div>
      )}
      <h3>Pending invitations</h3>
      <ErrorMessage error={result.error} />
      {invitations.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul className="rows">
          {invitations.map((i) => (
            <li key={i.id} className="row" data-testid={`invitation-${i.email}`}>
              <div className="row-main">
                <strong>{i.email}</strong> <span className="pill">{roleLabel(i.role)}</span>
                <div className="muted small">Invited {formatTime(i.createdAt)} · expires {formatTime(i.expiresAt)}</div>
              </div>
              <button type="button" className="danger" onClick={() => window.confirm(`Revoke the invitation of ${i.email}?`) && void revoke({ id: i.id }).then(refresh)}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorMessage error={revokeState.error} />
    </div>
  );
}

/** Anyone may leave; the last admin is refused by the server (its message is shown). */
function Leave() {
  const org = useOrg();
  const navigate = useNavigate();
  const [{ fetching, error }, leave] = useMutation(LEAVE);
  const confirmAndLeave = async () => {
    if (!window.confirm(`Leave ${org.name}? You lose access until someone invites you again.`)) return;
    const answer = await leave({ organizationId: org.id });
    if (answer.data) void navigate("/");
  };
  return (
    <div className="card">
      <button type="button" className="danger" disabled={fetching} onClick={() => void confirmAndLeave()}>Leave organisation</button>
      <ErrorMessage error={error} />
    </div>
  );
}
