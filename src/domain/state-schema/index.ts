// Validates Neuroglancer viewer states against what the client (node_modules/neuroglancer/lib)
// reads: everything it accepts passes (unknown keys are warnings), and everything it would choke
// on or silently turn into something else is an error with a path and what to send instead.
//
// Errors versus warnings: where the client silently falls back to a default, this module reports
// an ERROR when the stored state would not do what it says (a bad colour turns black, "false" as
// a string reads as true, an out-of-range alpha or a wrong-rank position is replaced, one bad
// annotation drops them all), and a WARNING when nothing the user asked for is lost (unknown keys,
// legacy forms, numbers sent as strings that the client reads exactly, references to layers that
// may be renamed later).
//
// Why hand-written rather than zod: the rules are not a shape. Whether a key is valid depends on
// other keys (a position's rank on "dimensions", annotation props on "annotationProperties", a
// layout's layer names on "layers"), most failures must say what the client would do instead
// and what to send, unknown keys are warnings not failures, lists of 100 000 segment IDs must be
// checked in one pass without an allocation per ID, and numbers too long for a double arrive as
// lossless markers (uint64.ts) that a schema library would treat as objects.
//
// Modules, by concern: core.ts (the validator, JSON paths, number rules, scalar checks),
// coordinates.ts, sources.ts, segments.ts, shaders.ts, annotations.ts, tools.ts, layers.ts,
// layouts-and-panels.ts, top-level.ts (the state's own keys). Each field table sits next to the
// checks it uses.
import { type StateIssue, StateValidator } from "./core.js";
import { root } from "./top-level.js";

export type { StateIssue } from "./core.js";

export interface ValidationResult {
  valid: boolean;
  errors: StateIssue[];
  warnings: StateIssue[];
}

export function validateState(state: unknown): ValidationResult {
  const validator = new StateValidator();
  root(validator, state);
  const { errors, warnings } = validator;
  return { valid: errors.length === 0, errors, warnings };
}
