// The public pages' documents, in one file without React: the server imports the generated
// documents (api/src/modules/public/page-request.ts) to answer a page's first HTML with the very
// query the app would send, so the app finds that answer embedded and fetches nothing on first view.
import { graphql } from "./gql/index.ts";

export const PUBLIC_INCIDENT = graphql(`
  fragment PublicIncident on Incident {
    id title status createdAt resolvedAt
    affectedServices { service { id name status statusSource { kind } } toStatus }
    updates { id status message createdAt }
  }
`);

export const STATUS_PAGE = graphql(`
  query StatusPage($slug: String!) {
    statusPage(slug: $slug) {
      cursor
      organization { slug name }
      status { indicator description updatedAt }
      services { id name description group status statusSince statusSource { kind } uptime(days: 90) { date operationalRatio worstStatus incidentIds } }
      activeIncidents { ...PublicIncident }
      recentIncidents(days: 14) { ...PublicIncident }
      incidentHistory: recentIncidents(days: 90) { id title }
      maintenances { id title description status scheduledStart scheduledEnd services { id name } }
    }
  }
`);

export const INCIDENT_PAGE = graphql(`
  query IncidentPage($slug: String!, $id: ID!) {
    statusPage(slug: $slug) {
      cursor
      organization { slug name }
      status { indicator description updatedAt }
      services { id name group }
      incident(id: $id) { ...PublicIncident updatedAt }
    }
  }
`);

/** Every change of the page; `cursor` is also the page version to refetch (`&v=`). */
export const STATUS_PAGE_EVENTS = `subscription StatusPageEvents($slug: String!, $after: String) {
  statusPageEvents(slug: $slug, after: $after) { cursor kind }
}`;
