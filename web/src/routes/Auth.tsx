// Sign in and sign up. Both end with a session and the user's first organisation's dashboard.
import { useState, type FormEvent } from "react";
import { formText } from "../form.ts";
import { Link, useNavigate } from "react-router";
import { useMutation } from "urql";
import { graphql } from "../gql/index.ts";
import { useTitle } from "../hooks.ts";
import { session } from "../session.ts";
import { useRefusal } from "../components/refusal.tsx";

const LOG_IN = graphql(`
  mutation LogIn($input: LogInInput!) {
    logIn(input: $input) { token user { id memberships { organization { slug } } } }
  }
`);

const SIGN_UP = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) { token user { id memberships { organization { slug } } } }
  }
`);

type AuthResult = { token: string; user: { memberships: { organization: { slug: string } }[] } };

function useFinish() {
  const navigate = useNavigate();
  return (result: AuthResult) => {
    session.start(result.token);
    const slug = result.user.memberships[0]?.organization.slug;
    void navigate(slug ? `/org/${slug}` : "/");
  };
}

export function LogIn() {
  useTitle("Sign in");
  const [reason] = useState(() => session.takeEndReason());
  const [{ fetching, error }, logIn] = useMutation(LOG_IN);
  const refusal = useRefusal(error, ["email", "password"]);
  const finish = useFinish();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = await logIn({ input: { email: formText(form, "email"), password: formText(form, "password", { raw: true }) } });
    if (result.data) finish(result.data.logIn);
  };
  return (
    <main className="page narrow">
      <h1>Sign in</h1>
      {reason && <p className="notice" role="status">{reason}</p>}
      <form onSubmit={(e) => void submit(e)} onInput={refusal.clear} className="form">
        <div className="field">
          <label>
            Email <input name="email" type="email" autoComplete="email" required autoFocus maxLength={254} {...refusal.invalid("email")} />
          </label>
          {refusal.at("email")}
        </div>
        <div className="field">
          <label>
            Password <input name="password" type="password" autoComplete="current-password" required maxLength={200} {...refusal.invalid("password")} />
          </label>
          {refusal.at("password")}
        </div>
        {refusal.general}
        <button type="submit" disabled={fetching}>{fetching ? "Signing in…" : "Sign in"}</button>
      </form>
      <p>
        No account? <Link to="/signup">Create an organisation</Link>
      </p>
    </main>
  );
}

export function SignUp() {
  useTitle("Create an organisation");
  const [{ fetching, error }, signUp] = useMutation(SIGN_UP);
  const refusal = useRefusal(error, ["name", "email", "password", "organizationName", "organizationSlug"]);
  const finish = useFinish();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const slug = formText(form, "organizationSlug");
    const result = await signUp({
      input: {
        name: formText(form, "name"),
        email: formText(form, "email"),
        password: formText(form, "password", { raw: true }),
        organizationName: formText(form, "organizationName"),
        ...(slug ? { organizationSlug: slug } : {}),
      },
    });
    if (result.data) finish(result.data.signUp);
  };
  return (
    <main className="page narrow">
      <h1>Create an organisation</h1>
      <form onSubmit={(e) => void submit(e)} onInput={refusal.clear} className="form">
        <div className="field">
          <label>
            Your name <input name="name" autoComplete="name" required autoFocus maxLength={100} {...refusal.invalid("name")} />
          </label>
          {refusal.at("name")}
        </div>
        <div className="field">
          <label>
            Email <input name="email" type="email" autoComplete="email" required maxLength={254} {...refusal.invalid("email")} />
          </label>
          {refusal.at("email")}
        </div>
        <div className="field">
          <label>
            Password <input name="password" type="password" autoComplete="new-password" minLength={10} maxLength={200} required {...refusal.invalid("password")} />
            <span className="hint">At least 10 characters, not a common password.</span>
          </label>
          {refusal.at("password")}
        </div>
        <div className="field">
          <label>
            Organisation name <input name="organizationName" required maxLength={100} {...refusal.invalid("organizationName")} />
          </label>
          {refusal.at("organizationName")}
        </div>
        <div className="field">
          <label>
            Page address (optional) <input name="organizationSlug" maxLength={48} pattern="[a-z0-9](?:[a-z0-9\-]{0,46}[a-z0-9])?" {...refusal.invalid("organizationSlug")} />
            <span className="hint">Lower-case letters, digits and dashes; derived from the name when empty.</span>
          </label>
          {refusal.at("organizationSlug")}
        </div>
        {refusal.general}
        <button type="submit" disabled={fetching}>{fetching ? "Creating…" : "Create organisation"}</button>
      </form>
      <p>
        Have an account? <Link to="/login">Sign in</Link>
      </p>
    </main>
  );
}
