// The console's first tabs: one query, one mutation and one subscription that run as they are,
// with the organisation's id (or the page's slug) already filled in, so a new admin sees the
// API answer before reading any documentation. Checked against the printed schemas in
// examples.test.ts: a renamed field breaks the test, not the first impression. The first tab
// of each console has no variables: GraphiQL 5 fills the variables editor of the tab open at
// start from its `initialVariables`, not from the tab's own.

/** A GraphiQL tab (TabDefinition): the operation, and its variables as JSON text. */
export interface ExampleTab {
  query: string;
  variables?: string;
}

export interface ExampleOrganization {
  id: string;
  slug: string;
  name: string;
}

/** Shown where no organisation is known yet (signed out, or a token of no organisation). */
export const ORGANIZATION_ID_PLACEHOLDER = "<your organisation's id: run the Viewer tab first>";

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** The tabs of the console on /graphql (the dashboard's, and /graphql opened in a browser). */
export function adminExamples(org: ExampleOrganization | null): ExampleTab[] {
  const organizationId = org?.id ?? ORGANIZATION_ID_PLACEHOLDER;
  const slug = org?.slug ?? "your-page-slug";
  return [
    {
      query: `# Who this console runs as: your session, or a pasted
# API token (a token has no viewer; it reads its organisation).
# Ctrl-Enter runs, Ctrl-Space completes from the schema.
query Viewer {
  viewer {
    id
    email
    name
    memberships {
      role
      organization { id slug name }
    }
  }
  organization(slug: "${slug}") {
    id
    name
    status { indicator description }
    services { id name status }
  }
}
`,
    },
    {
      query: `# Adds a service to ${org ? org.name : "your organisation"}: it shows on the
# public page at once. Run the OrganizationEvents tab first
# to watch its SERVICE_CREATED event arrive. Undo it with
# mutation { deleteService(id: "<the id it returned>") }
mutation CreateService($input: CreateServiceInput!) {
  createService(input: $input) {
    id
    name
    status
    group
  }
}
`,
      variables: json({ input: { organizationId, name: "Console example", group: "Examples" } }),
    },
    {
      query: `# Every change in the organisation, live over WebSocket
# (graphql-ws). Runs until you stop it; add
# after: "<cursor>" to replay what you missed.
subscription OrganizationEvents($organizationId: ID!) {
  organizationEvents(organizationId: $organizationId) {
    cursor
    kind
    occurredAt
    service { id name status }
    incident { id title status }
    maintenance { id title status }
  }
}
`,
      variables: json({ organizationId }),
    },
  ];
}

/** The tabs of the anonymous console on /graphql/public. */
export function publicExamples(slug: string | null): ExampleTab[] {
  const page = slug ?? "your-page-slug";
  return [
    {
      query: `# The public, anonymous API: what anyone may read
# of a status page.
query StatusPage {
  statusPage(slug: "${page}") {
    organization { name }
    status { indicator description }
    services { id name group status }
    activeIncidents { id title status }
    maintenances { id title status scheduledStart scheduledEnd }
  }
}
`,
    },
    {
      query: `# Every change of the page, live over WebSocket.
subscription StatusPageEvents($slug: String!) {
  statusPageEvents(slug: $slug) {
    cursor
    kind
    occurredAt
    service { id name status }
  }
}
`,
      variables: json({ slug: page }),
    },
  ];
}
