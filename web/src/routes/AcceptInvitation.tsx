// /invitations/accept#<token>: accepting an invitation. The token is read from the URL's fragment,
// which browsers never send to a server, so it stays out of every access log. A new address
// chooses a name and a password; an account that exists gives its password (or nothing, when
// signed in as it). On success the session starts as on sign-in and the dashboard opens.
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { useMutation } from "urql";
import { ErrorMessage } from "../components/ErrorMessage.tsx";
import { formText } from "../form.ts";
import { graphql } from "../gql/index.ts";
import { useTitle } from "../hooks.ts";
import { session, useSessionToken } from "../session.ts";

const ACCEPT = graphql(`
  mutation AcceptInvitation($input: AcceptInvitationInput!) {
    acceptInvitation(input: $input) { token user { id } }
  }
`);

export function AcceptInvitation() {
  useTitle("Accept an invitation");
  const [token] = useState(() => decodeURIComponent(window.location.hash.slice(1)));
  const signedIn = useSessionToken() !== null;
  const [{ fetching, error }, accept] = useMutation(ACCEPT);
  const navigate = useNavigate();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = formText(form, "name");
    const password = formText(form, "password", { raw: true });
    const result = await accept({ input: { token, ...(name ? { name } : {}), ...(password ? { password } : {}) } });
    if (result.data) {
      session.start(result.data.acceptInvitation.token);
      void navigate("/"); // one organisation: straight to its dashboard; several: the list
    }
  };
  if (!token) {
    return (
      <main className="page narrow">
        <h1>Accept an invitation</h1>
        <p className="error" role="alert">This link is incomplete: open the whole link from your invitation, or ask for a new one.</p>
        <p><Link to="/login">Sign in</Link></p>
      </main>
    );
  }
  return (
    <main className="page narrow">
      <h1>Accept an invitation</h1>
      <p>
        New here? Choose your name and a password. Already have an account with the invited address? Enter its password
        {signedIn ? " — or leave it empty if you are signed in as that account" : ""}.
      </p>
      <form onSubmit={(e) => void submit(e)} className="form">
        <label>
          Your name <input name="name" autoComplete="name" maxLength={100} />
          <span className="hint">For a new account.</span>
        </label>
        <label>
          Password <input name="password" type="password" autoComplete="new-password" maxLength={200} required={!signedIn} />
          <span className="hint">A new password for a new account, or your account's password.</span>
        </label>
        <ErrorMessage error={error} />
        <button type="submit" disabled={fetching}>{fetching ? "Accepting…" : "Accept invitation"}</button>
      </form>
    </main>
  );
}
