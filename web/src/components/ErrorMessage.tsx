// A refused request in the product's words (refusal-words.ts), with a way to put it away so that
// it does not outlive what it was about.
import { useState } from "react";
import type { CombinedError } from "urql";
import { refusalOf } from "../refusal-words.ts";

export function ErrorMessage({ error }: { error: CombinedError | undefined | null }) {
  const [dismissed, setDismissed] = useState<CombinedError | null>(null);
  if (!error || error === dismissed) return null;
  return (
    <p className="error" role="alert">
      {refusalOf(error).message}{" "}
      <button type="button" className="link-button small" onClick={() => setDismissed(error)}>
        Dismiss
      </button>
    </p>
  );
}
