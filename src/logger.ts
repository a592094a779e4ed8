// The service's log settings (pino, which fastify logs through): one level from the config, and
// the request parts that may carry secrets (edit tokens of named links, cookies) redacted, so a
// log shipped elsewhere never holds a credential whatever a serializer or a route adds to it.
import type { LoggerOptions } from "pino";
import type { Config } from "./config.js";

export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-edit-token"]',
  "headers.authorization",
  "authorization",
  "token",
  "editToken",
];

export function loggerOptions(config: Pick<Config, "logLevel">): LoggerOptions {
  return {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  };
}
