// The gallery's badge for how far a layer or view can be trusted ("verified 2026-12-02",
// "not verified: assumed 18 channels", "check failed (cors): ..."), from the `verification` that
// /api/presets gives each layer and view. Text only (textContent): the label is data.

export interface Verification {
  state: "verified" | "documented" | "not verified";
  label: string;
  date?: string;
  assumed: string[];
  live?: { status: string; checkedAt: string; message?: string };
}

/** ok / warn / fail: the badge's colour, also given in words for screen readers. */
function tone(verification: Verification): "ok" | "warn" | "fail" {
  const live = verification.live?.status;
  if (live !== undefined && live !== "ok" && live !== "skipped") return "fail";
  return verification.state === "not verified" ? "warn" : "ok";
}

/** A badge element, or null when the service sent no verification (an older service). */
export function verificationBadge(verification: Verification | undefined): HTMLElement | null {
  if (!verification || typeof verification.label !== "string") return null;
  const badge = document.createElement("p");
  const level = tone(verification);
  badge.className = `verification verification-${level}`;
  badge.dataset.verification = verification.state;
  const mark = document.createElement("span");
  mark.setAttribute("aria-hidden", "true");
  mark.textContent = level === "ok" ? "✓ " : level === "warn" ? "? " : "✗ ";
  badge.append(mark, verification.label);
  const details = [verification.live?.message].filter((text): text is string => Boolean(text));
  if (verification.live) details.push(`checked ${verification.live.checkedAt}`);
  if (details.length > 0) badge.title = details.join("; ");
  return badge;
}
