// The worker thread's side of src/work/offload.ts: one task per large body, from the raw string
// to strings and small metadata. It calls the same functions the inline path does (parser, body
// schemas, builder, validator, links service preparation, response serialiser), so the answers
// are the same; only the thread differs.
import { workerData } from "node:worker_threads";
import type { FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import type { z } from "zod";
import { JsonNestingError } from "../domain/json-nesting.js";
import { parseJsonLosslessly } from "../domain/neuroglancer-url.js";
import { type Catalogue, loadCatalogue } from "../domain/presets.js";
import { BuildError, buildRequestSchema } from "../domain/state-builder.js";
import { validateState } from "../domain/state-schema/index.js";
import { type StateFromUrl, stateFromUrl } from "../http/state-from-url.js";
import {
  InvalidStateError,
  type LinkInput,
  prepareLink,
  prepareShare,
} from "../plugins/app/links.js";
import { linkBody, shareBody } from "../routes/links.js";
import {
  buildAnswer,
  builtSchema,
  urlError,
  validateBody,
  validationSchema,
} from "../routes/states.js";
import type { BodyIssue, OffloadResult, OffloadRoute, OffloadTask } from "./offload.js";

/** What the pool gives every worker (src/work/pool.ts). */
export interface OffloadWorkerData {
  publicUrl: string;
  presetsDir: string;
  sourceRoots: Record<string, string>;
}

const { publicUrl, presetsDir, sourceRoots } = workerData as OffloadWorkerData;
let catalogue: Catalogue | undefined;
const presets = () => {
  catalogue ??= loadCatalogue(presetsDir, sourceRoots);
  return catalogue;
};

type Validator = (data: unknown) => { value?: unknown; error?: BodyIssue[] };
const compile = (schema: z.ZodType, url: string): Validator =>
  validatorCompiler({ schema, method: "POST", url, httpPart: "body" }) as Validator;
const bodyValidators: Record<OffloadRoute, Validator> = {
  build: compile(buildRequestSchema, "/api/states"),
  validate: compile(validateBody, "/api/states/validate"),
  link: compile(linkBody, "/api/links"),
  share: compile(shareBody, "/api/share"),
};
const serialize = (schema: z.ZodType, url: string) =>
  serializerCompiler({ schema, method: "POST", url, httpStatus: "200" }) as (
    data: unknown,
  ) => string;
const builtJson = serialize(builtSchema, "/api/states");
const validationJson = serialize(validationSchema, "/api/states/validate");

/** A link of this service itself must be read from the store: the main thread does that. */
class NeedsMainThread extends Error {}

/** Reads a URL's state like http/state-from-url.ts, except links of this service. */
async function readUrl(url: string): Promise<StateFromUrl> {
  const app = {
    config: { publicUrl },
    links: {
      get: () => {
        throw new NeedsMainThread();
      },
    },
  } as unknown as FastifyInstance;
  return stateFromUrl(app, url);
}

async function handle(route: OffloadRoute, body: unknown): Promise<OffloadResult> {
  switch (route) {
    case "build": {
      const answer = buildAnswer(presets(), publicUrl, body as z.output<typeof buildRequestSchema>);
      return { kind: "answer", status: 200, json: builtJson(answer) };
    }
    case "validate": {
      const input = body as z.output<typeof validateBody>;
      let state = input.state;
      if (input.url !== undefined) {
        const parsed = await readUrl(input.url);
        if (!parsed.ok)
          return { kind: "answer", status: 400, json: JSON.stringify(urlError(parsed.message)) };
        state = parsed.state;
      }
      return { kind: "answer", status: 200, json: validationJson(validateState(state)) };
    }
    case "link": {
      const input = body as LinkInput;
      const urlState =
        input.dataset === undefined && input.url !== undefined
          ? await readUrl(input.url)
          : undefined;
      return { kind: "prepared", prepared: prepareLink(presets(), publicUrl, input, urlState) };
    }
    case "share":
      return { kind: "prepared", prepared: prepareShare(body as Record<string, unknown>) };
  }
}

export default async function offloadTask({ route, body }: OffloadTask): Promise<OffloadResult> {
  let parsed: unknown;
  try {
    parsed = parseJsonLosslessly(body);
  } catch (error) {
    return {
      kind: "unparsable",
      message: (error as Error).message,
      tooDeep: error instanceof JsonNestingError,
    };
  }
  const checked = bodyValidators[route](parsed);
  if (checked.error)
    // Without the marker symbol, which does not cross threads; the pool adds it back.
    return {
      kind: "invalid-body",
      issues: checked.error.map(({ keyword, instancePath, schemaPath, message }) => ({
        keyword,
        instancePath,
        schemaPath,
        message,
        params: {},
      })),
    };
  try {
    return await handle(route, checked.value);
  } catch (error) {
    if (error instanceof NeedsMainThread) return { kind: "inline" };
    if (error instanceof BuildError)
      return { kind: "build-error", issues: error.issues, notFound: error.notFound };
    if (error instanceof InvalidStateError) return { kind: "invalid-state", issues: error.issues };
    throw error;
  }
}
