// Reads the environment, builds the app, listens, and stops cleanly on SIGTERM/SIGINT.
import { buildApp } from "./app.ts";
import { configFromEnv } from "./config.ts";
import { readEnv } from "./env.ts";
import { DEMO_PASSWORD } from "./modules/demo/seed.ts";

let config;
try {
  config = configFromEnv(readEnv());
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

try {
  const app = await buildApp(config);
  const url = await app.start();
  app.services.log.info({ url }, "statuspage listening");
  // For the person who just typed `npm start`: where to go and how to get in.
  const lines = [
    "",
    `  Statuspage is running at ${url}`,
    ...(config.demo ? [`  Demo status page:            ${url}/status/dance`] : []),
    `  Sign in:                     ${url}/login`,
    `  GraphQL console (GraphiQL):  ${url}/graphql`,
    `  Public API:                  ${url}/graphql/public`,
    ...(config.demo
      ? [`  Demo logins (password "${DEMO_PASSWORD}"): admin@dance.example (ADMIN), member@dance.example (MEMBER); the same for sing`]
      : []),
    "",
  ];
  console.log(lines.join("\n"));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.services.log.info({ signal }, "stopping");
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        app.services.log.error({ err: error }, "stop failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
} catch (error) {
  console.error(`Could not start: ${(error as Error).message}`);
  process.exit(1);
}
