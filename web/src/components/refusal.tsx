// A refused form in the product's words, beside the field at fault: `useRefusal(error, fields)`
// gives the form its messages, and `clear()` (on the form's input) hides an answer that is no
// longer about what the form holds. A refusal about no field of the form shows under it.
import { useId, useState, type ReactNode } from "react";
import type { CombinedError } from "urql";
import { refusalOf } from "../refusal-words.ts";

export interface FormRefusal {
  /** Props for the input of `field`: marks it invalid and points at its message. */
  invalid(field: string): { "aria-invalid"?: true; "aria-describedby"?: string };
  /** The message beside `field`, when the refusal is about it. */
  at(field: string): ReactNode;
  /** The message about the form as a whole (or a field it does not show). */
  general: ReactNode;
  /** Hides the refusal (a form's onInput): a property, so it can be handed over as it is. */
  clear: () => void;
}

export function useRefusal(error: CombinedError | undefined, fields: readonly string[]): FormRefusal {
  const id = useId();
  const [dismissed, setDismissed] = useState<CombinedError | null>(null);
  const refusal = error && error !== dismissed ? refusalOf(error) : null;
  const field = refusal?.field && fields.includes(refusal.field) ? refusal.field : null;
  const messageId = (name: string) => `${id}-${name}-refusal`;
  return {
    invalid: (name) => (field === name ? { "aria-invalid": true, "aria-describedby": messageId(name) } : {}),
    at: (name) =>
      field === name && refusal ? (
        <span className="error field-error" id={messageId(name)} role="alert">
          {refusal.message}
        </span>
      ) : null,
    general:
      refusal && !field ? (
        <p className="error" role="alert">
          {refusal.message}
        </p>
      ) : null,
    clear: () => {
      if (error) setDismissed(error);
    },
  };
}
