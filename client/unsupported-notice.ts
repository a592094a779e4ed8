// The notice a viewer page shows when some of its layers need a data source this build leaves
// out (src/domain/viewer-sources.ts): it names them and offers the view in another Neuroglancer,
// by its state JSON URL when there is one (short links), else by the whole state in the fragment.
import { describeUndrawable, undrawableLayers } from "../src/domain/viewer-sources.js";

/**
 * The Neuroglancer the notice sends people to: Google's public deployment, which has every data
 * source. Any stock Neuroglancer would do; this one needs no sign-in.
 */
export const OTHER_NEUROGLANCER = "https://neuroglancer-demo.appspot.com/";

/** The parts of Neuroglancer's viewer (window.viewer) the notice reads. */
interface ViewerLike {
  layerSpecification: {
    changed: { add(handler: () => void): unknown };
    toJSON(): unknown;
  };
}

/**
 * The state JSON URL this page was opened with: the server's data block when it holds a URL
 * (/s/:id), or a `#!https://…` fragment. Read before Neuroglancer rewrites the address bar to the
 * inline state (it does so only after fetching the URL, so module code that runs right after the
 * viewer's import still sees the original).
 */
export function initialStateUrl(): string | null {
  const block = document.getElementById("nglaunch-state");
  if (block !== null) {
    try {
      const value: unknown = JSON.parse(block.textContent ?? "");
      if (typeof value === "string") return new URL(value, location.href).href;
    } catch {
      // boot.js already warned about a broken data block.
    }
  }
  const fragment = decodeURIComponent(location.hash.replace(/^#!/, ""));
  return /^https?:\/\//.test(fragment) ? fragment : null;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text = "",
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
}

function buildNotice(message: string, stateUrl: string | null): HTMLElement {
  const notice = element("div", "nglaunch-unsupported");
  notice.setAttribute("role", "alert");
  notice.append(element("p", "nglaunch-unsupported-message", message));
  const open = element("a", "nglaunch-unsupported-open", "Open in another Neuroglancer ↗");
  open.target = "_blank";
  open.rel = "noopener";
  // The live state when there is no JSON URL, so what opens is what is on screen now.
  const refresh = () => {
    open.href = stateUrl
      ? `${OTHER_NEUROGLANCER}#!${stateUrl}`
      : `${OTHER_NEUROGLANCER}${location.hash}`;
  };
  refresh();
  open.addEventListener("pointerdown", refresh);
  open.addEventListener("focus", refresh);
  notice.append(open);
  if (stateUrl !== null) {
    const label = element("label", "nglaunch-unsupported-url", "State JSON URL ");
    const input = element("input", "");
    input.readOnly = true;
    input.value = stateUrl;
    input.addEventListener("focus", () => input.select());
    label.append(input);
    notice.append(label);
  }
  const close = element("button", "nglaunch-unsupported-close", "\u00d7");
  close.type = "button";
  close.title = "Dismiss";
  close.setAttribute("aria-label", "Dismiss");
  close.addEventListener("click", () => notice.remove());
  notice.append(close);
  return notice;
}

/**
 * Keeps the notice in step with the layers: shown while some layer cannot be drawn, updated when
 * layers change (checked at most once per animation frame), gone when none is left. Once
 * dismissed it stays away until the set of undrawable layers changes.
 */
export function watchUndrawableLayers(viewer: ViewerLike, stateUrl: string | null): void {
  let notice: HTMLElement | null = null;
  let shown = "";
  let scheduled = false;
  const update = () => {
    scheduled = false;
    const layers = undrawableLayers({ layers: viewer.layerSpecification.toJSON() });
    const message = layers.length === 0 ? "" : describeUndrawable(layers);
    if (message === shown) return;
    shown = message;
    notice?.remove();
    notice = null;
    if (message === "") return;
    notice = buildNotice(message, stateUrl);
    document.body.append(notice);
  };
  viewer.layerSpecification.changed.add(() => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(update);
  });
  update();
}
