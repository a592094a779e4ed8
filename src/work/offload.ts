// Large request bodies are handled off the main thread. A body of OFFLOAD_BODY_BYTES or more sent
// to one of the routes below goes, as the raw string, to a worker thread (offload-worker.ts),
// which does everything CPU-heavy: the lossless parse with its nesting bound, the route's body
// schema, building or validating the state, canonical JSON, digest and serialisation. It answers
// with strings and small metadata, so the main thread never builds, walks or clones the big object
// graph: it only stores the prepared record and sends the prepared answer. Answers are the same
// as inline (same functions, same messages); small bodies stay inline, which is cheaper than a
// round trip to a worker.

/** The routes whose work can be done in a worker, and the worker task for each. */
const OFFLOADED_ROUTES: ReadonlyMap<string, OffloadRoute> = new Map([
  ["POST /api/states", "build"],
  ["POST /api/states/validate", "validate"],
  ["POST /api/links", "link"],
  ["POST /api/share", "share"],
]);

export type OffloadRoute = "build" | "validate" | "link" | "share";

export function offloadRouteOf(method: string, url: string | undefined): OffloadRoute | undefined {
  return url === undefined ? undefined : OFFLOADED_ROUTES.get(`${method} ${url}`);
}

export interface OffloadTask {
  route: OffloadRoute;
  body: string;
}

/** A validation issue of the route's body schema, as fastify-type-provider-zod reports it. */
export interface BodyIssue {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  message: string;
  params: Record<string, unknown>;
}

/** What a worker hands back. Everything in it is cheap to copy between threads. */
export type OffloadResult =
  /** The body is not JSON, or nests too deep: the parser's 400. */
  | { kind: "unparsable"; message: string; tooDeep: boolean }
  /** The body does not match the route's schema: the usual "invalid body" 400. */
  | { kind: "invalid-body"; issues: BodyIssue[] }
  /** BuildError or InvalidStateError, rethrown on the main thread for the error handler. */
  | { kind: "build-error"; issues: { path: string; message: string }[]; notFound: boolean }
  | { kind: "invalid-state"; issues: { path: string; message: string }[] }
  /** The whole answer (POST /api/states and /api/states/validate), serialised. */
  | { kind: "answer"; status: number; json: string }
  /** What the links service stores and answers (PreparedLink for "link", NewLink for "share"). */
  | { kind: "prepared"; prepared: unknown }
  /** Needs the main thread (a URL of this service's own link): parse and handle it inline. */
  | { kind: "inline" };

/** The body a route handler gets when a worker did the work; schemas let it pass as it is. */
export class OffloadedBody {
  constructor(readonly result: unknown) {}
}
