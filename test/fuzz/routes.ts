// What the fuzz suite learns from the app itself, so routes added later are fuzzed too: every
// route and method (from fastify's route tree) and the query and body field names each route
// documents (from its OpenAPI operation).
import type { FastifyInstance } from "fastify";

export interface FuzzRoute {
  method: string;
  /** fastify's pattern, e.g. "/v/:dataset/:view" or "/docs/*". */
  url: string;
}

const TREE_LINE = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/u;

/**
 * Every route of the app, read from `printRoutes({ commonPrefix: false })`: each line of that tree
 * is a path piece (children continue their parent's path) with the methods routed at it.
 */
export function listRoutes(app: FastifyInstance): FuzzRoute[] {
  const routes: FuzzRoute[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split("\n")) {
    if (line.trim() === "") continue;
    const match = TREE_LINE.exec(line);
    if (!match) throw new Error(`cannot read the route tree line ${JSON.stringify(line)}`);
    const depth = (match[1] ?? "").length / 4;
    const piece = match[2] ?? "";
    stack.length = depth;
    const parent = stack.join("");
    // fastify prints a wildcard without the "/" before it ("/docs/*" as "*" under "docs").
    const url = piece === "*" && !parent.endsWith("/") ? `${parent}/*` : parent + piece;
    stack.push(piece);
    for (const method of (match[3] ?? "").split(",").map((m) => m.trim()))
      if (method) routes.push({ method, url: url.startsWith("/") ? url : `/${url}` });
  }
  return routes;
}

/** The `:name` and `*` parameters of a route pattern, in order. */
export function routeParams(url: string): string[] {
  return url.split("/").filter((part) => part.startsWith(":") || part === "*");
}

/** Query and body property names per "METHOD url" (fastify pattern), from the OpenAPI document. */
export function documentedFields(app: FastifyInstance): Map<string, string[]> {
  const doc = app.swagger() as {
    paths?: Record<string, Record<string, { parameters?: unknown[]; requestBody?: unknown }>>;
  };
  const fields = new Map<string, string[]>();
  for (const [openapiPath, operations] of Object.entries(doc.paths ?? {})) {
    const url = openapiPath.replace(/\{([^}]+)\}/g, ":$1");
    for (const [method, operation] of Object.entries(operations)) {
      const names = new Set<string>();
      for (const parameter of operation.parameters ?? []) {
        const p = parameter as { in?: string; name?: string };
        if (p.in === "query" && typeof p.name === "string") names.add(p.name);
      }
      collectPropertyNames(operation.requestBody, names, 0);
      fields.set(`${method.toUpperCase()} ${url}`, [...names]);
    }
  }
  return fields;
}

function collectPropertyNames(schema: unknown, into: Set<string>, depth: number): void {
  if (depth > 12 || schema === null || typeof schema !== "object") return;
  if (Array.isArray(schema)) {
    for (const item of schema) collectPropertyNames(item, into, depth + 1);
    return;
  }
  for (const [key, value] of Object.entries(schema)) {
    if (key === "properties" && value && typeof value === "object")
      for (const name of Object.keys(value)) into.add(name);
    collectPropertyNames(value, into, depth + 1);
  }
}
