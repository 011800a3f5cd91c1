// The one door to the console's chunk: GraphiQL, Monaco and their styles load only when a
// console is opened, so the public page's and the dashboard's bundles stay as they were.
import { lazy, Suspense, type ComponentProps } from "react";

const GraphqlConsole = lazy(() => import("./GraphqlConsole.tsx"));

export function LazyConsole(props: ComponentProps<typeof GraphqlConsole>) {
  return (
    <Suspense fallback={<p className="muted">Loading the console…</p>}>
      <GraphqlConsole {...props} />
    </Suspense>
  );
}
