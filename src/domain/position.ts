// Positions as people type them in links and terminals: "x,y,z" (commas and/or spaces).

/** Three finite numbers from "x,y,z", or null when the text is not exactly that. */
export function parsePosition(text: string): number[] | null {
  const parts = text.trim().split(/\s*,\s*|\s+/);
  const numbers = parts.map(Number);
  const ok =
    parts.length === 3 && parts.every((part, i) => part !== "" && Number.isFinite(numbers[i]));
  return ok ? numbers : null;
}
