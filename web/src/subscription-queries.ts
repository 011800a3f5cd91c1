// Email subscriptions from a visitor's side (the public client, /graphql/public): subscribing on
// the status page, and the confirm and manage pages the mails link to (routes/Subscription*.tsx).
import { graphql } from "./gql/index.ts";

export const SUBSCRIBE = graphql(`
  mutation SubscribeToStatusPage($input: SubscribeInput!) { subscribeToStatusPage(input: $input) }
`);

export const CONFIRM_SUBSCRIPTION = graphql(`
  mutation ConfirmSubscription($token: String!) {
    confirmSubscription(token: $token) { confirmed page { slug name } services { id name group } }
  }
`);

export const UPDATE_SUBSCRIPTION = graphql(`
  mutation UpdateSubscription($input: UpdateSubscriptionInput!) {
    updateSubscription(input: $input) { confirmed page { slug name } services { id name group } }
  }
`);

export const UNSUBSCRIBE = graphql(`
  mutation Unsubscribe($token: String!) { unsubscribe(token: $token) }
`);

/** The page's services to choose from (the manage page; the status page has them already). */
export const PAGE_SERVICES = graphql(`
  query SubscriptionPageServices($slug: String!) {
    statusPage(slug: $slug) { organization { slug name } services { id name group } }
  }
`);
