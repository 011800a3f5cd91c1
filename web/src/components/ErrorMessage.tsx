// The server's own message for a refused request (it is written for people), else a generic one.
import type { CombinedError } from "urql";

export function ErrorMessage({ error }: { error: CombinedError | undefined | null }) {
  if (!error) return null;
  const message = error.graphQLErrors[0]?.message ?? (error.networkError ? "The server could not be reached. Try again." : error.message);
  return (
    <p className="error" role="alert">
      {message}
    </p>
  );
}
