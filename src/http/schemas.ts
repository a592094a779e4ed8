// Response shapes shared by routes, declared once so the OpenAPI document shows them.
import { z } from "zod";

export const issueSchema = z.object({
  path: z.string().describe('JSON path of the problem, e.g. "layers[0].segments[3]"'),
  message: z.string().describe("What is wrong and what to send instead"),
});

export const errorSchema = z
  .object({
    error: z.string(),
    issues: z.array(issueSchema).optional(),
  })
  .describe("Every 4xx/5xx answer");

/** The error answers a route may give, for its `response` schema. */
export function errorResponses<Code extends 400 | 404 | 413 | 415 | 429 | 503>(
  ...codes: Code[]
): { [K in Code]: typeof errorSchema } {
  return Object.fromEntries(codes.map((code) => [code, errorSchema])) as {
    [K in Code]: typeof errorSchema;
  };
}
