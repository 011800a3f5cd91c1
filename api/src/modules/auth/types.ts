// Session mutations that are not about an organisation (signUp and logIn live with
// organisations, which signUp creates).
import { builder } from "../../graphql/builder.ts";
import { logOut } from "./log-out.ts";

builder.mutationFields((t) => ({
  logOut: t.boolean({
    description:
      "Ends this session server-side: the token stops working everywhere and open WebSocket/SSE connections made with it " +
      "close (4401). Answers false for an API token or an identity provider's token (nothing to end here).",
    authScopes: { signedIn: true },
    resolve: (_, __, ctx) => logOut({ ctx }),
  }),
}));
