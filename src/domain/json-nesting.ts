// The one bound on how deeply JSON may nest. Everything that reads a state from text (request
// bodies, "#!" URL fragments, CLI files) refuses deeper input as it parses, and the validator and
// canonical JSON refuse it again for states that arrive already parsed, so no recursive function
// (validator, canonical JSON, JSON.stringify) ever sees nesting it could overflow the stack on.
import { at, child } from "./state-schema/core.js";
import { UnsafeNumber } from "./uint64.js";

/**
 * Levels of arrays and objects a state may nest (the state object itself is level 1).
 * Neuroglancer's own states nest about 10 deep: a point annotation's segment list is level 7
 * (state > layers > layer > annotations > annotation > segments > list), a source transform's
 * matrix row level 8, and each row/column of a layout adds 2. 100 leaves room for 40 nested
 * layout stacks and for deep free-form "state" objects some sources carry, while staying far
 * below the ~3,000 levels at which recursive code (JSON.stringify included) runs out of stack.
 */
export const MAX_JSON_DEPTH = 100;

/** Keys longer than this are shortened in messages, so a path never echoes a huge key. */
const MAX_KEY_IN_PATH = 64;

export class JsonNestingError extends Error {
  override readonly name = "JsonNestingError";
  constructor(
    /** The JSON path of the first array or object one level too deep. */
    readonly path: string,
    readonly limit: number = MAX_JSON_DEPTH,
  ) {
    super(`nesting deeper than ${limit} levels at path ${path}`);
  }
}

export type PathStep = string | number;

/** A JSON path in the validator's style (`layers[0].source`), long keys shortened. */
export function formatJsonPath(steps: readonly PathStep[]): string {
  let path = "";
  for (const step of steps) {
    if (typeof step === "number") path = at(path, step);
    else
      path = child(
        path,
        step.length > MAX_KEY_IN_PATH ? `${step.slice(0, MAX_KEY_IN_PATH - 1)}\u2026` : step,
      );
  }
  return path;
}

interface Frame {
  value: object;
  parent: Frame | undefined;
  step: PathStep;
  depth: number;
}

function isContainer(value: unknown): value is object {
  return typeof value === "object" && value !== null && !(value instanceof UnsafeNumber);
}

function pathOf(frame: Frame, last: PathStep): string {
  const steps: PathStep[] = [last];
  for (let f: Frame | undefined = frame; f?.parent !== undefined; f = f.parent) steps.push(f.step);
  return formatJsonPath(steps.reverse());
}

/**
 * The path of the first container (in document order) nested deeper than `limit`, or undefined.
 * Iterative, so it is safe on any depth; it only visits values, which JSON.parse has already
 * paid for many times over.
 */
export function findTooDeep(root: unknown, limit: number = MAX_JSON_DEPTH): string | undefined {
  if (!isContainer(root)) return undefined;
  const stack: Frame[] = [{ value: root, parent: undefined, step: "", depth: 1 }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const { value } = frame;
    const keys = Array.isArray(value) ? undefined : Object.keys(value);
    const items = (keys === undefined ? value : keys) as readonly unknown[];
    const member = (i: number): unknown =>
      keys === undefined
        ? (value as unknown[])[i]
        : (value as Record<string, unknown>)[keys[i] as string];
    const step = (i: number): PathStep => (keys === undefined ? i : (keys[i] as string));
    if (frame.depth >= limit) {
      // Children here are one level too deep: report the first one, in document order.
      for (let i = 0; i < items.length; i++)
        if (isContainer(member(i))) return pathOf(frame, step(i));
      continue;
    }
    // Pushed last-first, so containers are taken in document order.
    for (let i = items.length - 1; i >= 0; i--) {
      const item = member(i);
      if (isContainer(item))
        stack.push({ value: item, parent: frame, step: step(i), depth: frame.depth + 1 });
    }
  }
  return undefined;
}

/** Throws JsonNestingError when `value` nests deeper than `limit`. */
export function assertNestingWithin(value: unknown, limit: number = MAX_JSON_DEPTH): void {
  const path = findTooDeep(value, limit);
  if (path !== undefined) throw new JsonNestingError(path, limit);
}
