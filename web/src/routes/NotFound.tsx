import { Link } from "react-router";
import { useTitle } from "../hooks.ts";

export function NotFound({ what = "There is nothing at this address." }: { what?: string }) {
  useTitle("Not found");
  return (
    <main className="page narrow">
      <h1>Not found</h1>
      <p>{what}</p>
      <p>
        <Link to="/">Go to the start page</Link>
      </p>
    </main>
  );
}
