// OpenAPI generated from the routes' zod schemas, served at /docs (UI) and /docs/json.
// The routes declare operationId, tags, `security: []` and every status code they send with
// the helpers of http/schemas.ts; this plugin turns those declarations into the document:
// media types and headers of responses (`responseDocs`), precise request bodies (`bodyDocs`),
// and the answers every route can give (500, 503 when overloaded). test/openapi/ checks the
// result against real traffic; README "API" states the conventions for new routes.
import swagger, { type SwaggerTransformObject } from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import { bodyDocs, headers, type ResponseDoc, responseDocs } from "../../http/schemas.js";

/** The tags, in the order the UI shows them. Every operation uses one of these. */
export const TAGS = [
  { name: "presets", description: "The catalogue of datasets, layer presets and views" },
  { name: "states", description: "Build and validate Neuroglancer states" },
  { name: "links", description: "Short links: store a state, open it, read it back" },
  { name: "names", description: "Named links (/n/...) their owner can move to newer short links" },
  { name: "views", description: "Stable view links (/v/...) that open the viewer" },
  { name: "embed", description: "Iframes, oEmbed, snippets and the badge for wikis and READMEs" },
  { name: "pages", description: "The viewer and the gallery" },
  { name: "operations", description: "Health, readiness and Prometheus metrics" },
] as const;

type Transform = typeof jsonSchemaTransform;
type JsonSchema = Record<string, unknown>;

/** The document entry of a response the route declared with a helper of http/schemas.ts. */
function documentedResponse(doc: ResponseDoc, json: JsonSchema): JsonSchema {
  const entry: JsonSchema = { description: doc.description };
  // @fastify/swagger reads response headers as JSON schemas with a description.
  if (doc.headers)
    entry.headers = Object.fromEntries(
      Object.entries(doc.headers).map(([name, header]) => [
        name,
        { ...header.schema, description: header.description },
      ]),
    );
  if (doc.noBody) return { ...entry, type: "null" };
  // A page is a string whatever its media type; JSON keeps the schema fastify serializes with.
  const content = Object.fromEntries(
    doc.mediaTypes.map((type) => [
      type,
      { schema: type === "application/json" ? json : { type: "string" } },
    ]),
  );
  return { ...entry, content };
}

/** jsonSchemaTransform, plus what zod schemas cannot say (see http/schemas.ts). */
const transform: Transform = (document) => {
  const { schema } = document;
  if (!schema) return jsonSchemaTransform(document);
  const declared = schema.response as Record<string, object> | undefined;
  // Document the precise forms where a route declared them (see http/schemas.ts).
  const body = schema.body as object | undefined;
  const documented: Record<string, unknown> = { ...schema };
  const preciseBody = body && bodyDocs.get(body);
  if (preciseBody) documented.body = preciseBody;
  if (declared)
    documented.response = Object.fromEntries(
      Object.entries(declared).map(([code, s]) => [code, responseDocs.get(s)?.schema ?? s]),
    );
  const result = jsonSchemaTransform({ ...document, schema: documented });
  const converted = (result.schema as { response?: Record<string, JsonSchema> }).response;
  if (!declared || !converted) return result;
  for (const [code, zodSchema] of Object.entries(declared)) {
    const doc = responseDocs.get(zodSchema);
    const json = converted[code];
    if (doc && json) {
      // Headers are response-level in OpenAPI; swagger reads them from here.
      const { description: _ignored, ...bodySchema } = json;
      converted[code] = documentedResponse(doc, bodySchema);
    }
  }
  return result;
};

const errorContent = { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };

/** Answers any route can give, added where a route does not declare them itself. */
const commonResponses: Record<string, JsonSchema> = {
  "500": {
    description: "Internal error: the request id in X-Request-Id finds it in the logs",
    content: errorContent,
  },
  "503": {
    description: "The service is overloaded (load shedding): retry after Retry-After seconds",
    headers: { "retry-after": headers.retryAfter },
    content: errorContent,
  },
};

interface Operation {
  responses?: Record<string, unknown>;
}
interface Document {
  components?: { schemas?: Record<string, unknown> };
  paths?: Record<string, Partial<Record<string, Operation>>>;
}

/** The finished document: shared error schema, tags, common answers on every operation. */
const finish: SwaggerTransformObject = (documentObject) => {
  if (!("openapiObject" in documentObject)) return documentObject.swaggerObject;
  const openapiObject = documentObject.openapiObject as Document;
  const components = openapiObject.components ?? {};
  components.schemas = {
    ...components.schemas,
    Error: {
      type: "object",
      description: "Every 4xx/5xx answer in JSON",
      properties: {
        error: { type: "string" },
        issues: {
          type: "array",
          items: {
            type: "object",
            properties: { path: { type: "string" }, message: { type: "string" } },
            required: ["path", "message"],
          },
        },
      },
      required: ["error"],
    },
  };
  for (const item of Object.values(openapiObject.paths ?? {})) {
    for (const method of ["get", "put", "post", "delete", "patch"] as const) {
      const operation = item?.[method];
      if (!operation) continue;
      operation.responses = { ...operation.responses };
      for (const [code, response] of Object.entries(commonResponses))
        operation.responses[code] ??= response;
    }
  }
  return { ...openapiObject, components } as typeof documentObject.openapiObject;
};

export default fp(
  async function openapi(app: FastifyInstance) {
    await app.register(swagger, {
      openapi: {
        openapi: "3.0.3",
        info: {
          title: "nglaunch",
          description:
            "Curated Neuroglancer views, state validation and short links for public connectomics datasets. Every endpoint is anonymous (no accounts, no keys).",
          version: "1",
          license: { name: "MIT", url: "https://opensource.org/licenses/MIT" },
        },
        servers: [{ url: app.config.publicUrl }],
        tags: TAGS.map((tag) => ({ ...tag })),
        components: {
          // The one credential of the service: the edit token of a name, answered once by
          // POST /api/names, sent to PUT /api/names/{name}. Every other operation is anonymous.
          securitySchemes: {
            editToken: {
              type: "http",
              scheme: "bearer",
              description: "The edit token POST /api/names answered when the name was created",
            },
          },
        },
      },
      transform,
      transformObject: finish,
    });
    await app.register(swaggerUi, { routePrefix: "/docs" });
  },
  { name: "openapi", dependencies: ["config"] },
);
