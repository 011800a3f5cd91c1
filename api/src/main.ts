// Reads the environment, builds the app, listens, and stops cleanly on SIGTERM/SIGINT.
import { buildApp } from "./app.ts";
import { configFromEnv } from "./config.ts";
import { readEnv } from "./env.ts";

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
