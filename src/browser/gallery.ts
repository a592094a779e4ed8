// The gallery and link builder (/gallery): lists the datasets, views and layer presets from
// /api/presets, and turns a view plus segment IDs into a short link with its snippets.
// The DOM is built with createElement and textContent only: every string may come from a user.
import { describeColumn, nameToken, parseSegmentIds, type Token } from "../domain/segment-list.js";
import { previewPointTable, summarisePreview } from "./annotation-preview.js";
import { myLinks } from "./my-links.js";
import { type Verification, verificationBadge } from "./verification-badge.js";

interface Expectation {
  value: string | number;
  basis: "documented" | "assumed" | "verified";
  note?: string;
}
interface LayerSummary {
  id: string;
  title: string;
  description: string;
  type: string;
  source: string;
  expects: { layerType: Expectation; dataType: Expectation; numChannels: Expectation };
  channelControls: string[];
  verification?: Verification;
  openUrl: string;
  previewUrl?: string;
}
interface ViewSummary {
  id: string;
  title: string;
  description: string;
  layers: string[];
  segmentLayer: string | null;
  layout: string;
  verification?: Verification;
  openUrl: string;
  previewUrl?: string;
}
interface DatasetSummary {
  id: string;
  title: string;
  description: string;
  homepage?: string;
  license: { name: string; url: string; attribution: string };
  citation: { text: string; url?: string };
  dataRoot: string;
  layers: LayerSummary[];
  views: ViewSummary[];
}
interface Issue {
  path: string;
  message: string;
}
interface Snippet {
  id: string;
  label: string;
  text: string;
  note?: string;
}
type FormField = HTMLTextAreaElement | HTMLInputElement | HTMLSelectElement;

const MAX_ERRORS_SHOWN = 10;

let datasets: DatasetSummary[] = [];

/** An element by id, of the given class (a missing or different element is a bug in this page). */
function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`gallery.html lacks #${id}`);
  return element;
}

const form = byId("link-form", HTMLFormElement);
const datasetSelect = byId("dataset", HTMLSelectElement);
const viewSelect = byId("view", HTMLSelectElement);
const segmentsField = byId("segments", HTMLTextAreaElement);
const annotationsField = byId("annotations", HTMLTextAreaElement);
const annotationsUnit = byId("annotations-unit", HTMLSelectElement);
const titleField = byId("title", HTMLInputElement);
const newTabBox = byId("open-new-tab", HTMLInputElement);
const submitButton = byId("create-link", HTMLButtonElement);
const errorsBox = byId("form-errors", HTMLDivElement);
const formStatus = byId("form-status", HTMLParagraphElement);
const resultBox = byId("result", HTMLDivElement);
const copyStatus = byId("copy-status", HTMLParagraphElement);

/** Builds an element. Attributes are set with setAttribute, text with text nodes: no HTML parsing. */
function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | undefined> = {},
  children: (Node | string | null | undefined | false)[] = [],
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) element.setAttribute(name, "");
    else if (typeof value === "string") element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

/** Text that screen readers read but the eye does not need, e.g. which view an "Open" is for. */
function srOnly(text: string) {
  return h("span", { class: "visually-hidden" }, [text]);
}

/**
 * The URL if it is http(s) (relative ones resolve against this page), else undefined: hrefs come
 * from data, and a javascript: URL must never become a link.
 */
function safeHref(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url, window.location.href);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** A link, or just the text when the URL is not a safe one. */
function link(
  url: string | undefined,
  children: (Node | string)[],
  attributes: Record<string, string> = {},
) {
  const href = safeHref(url);
  return href ? h("a", { ...attributes, href }, children) : h("span", {}, children);
}

/**
 * A preview image, loaded only when scrolled near (each is rendered by the service on first
 * request), at the size the service renders by default; nothing when the URL is not a safe one.
 * A missing image leaves its alt text on the thumbnail's neutral background.
 */
function thumbnail(url: string | undefined, title: string, id?: string) {
  const src = safeHref(url);
  if (!src) return null;
  return h("img", {
    id,
    class: "thumbnail",
    src,
    alt: `Preview of ${title}`,
    loading: "lazy",
    decoding: "async",
    width: "1200",
    height: "630",
  });
}

/** Tells screen readers something without moving focus. */
function announce(message: string) {
  // Cleared first, so the same message twice is announced twice.
  copyStatus.textContent = "";
  window.setTimeout(() => {
    copyStatus.textContent = message;
  }, 50);
}

/**
 * Copies text to the clipboard. Where the Clipboard API is missing (pages served over plain
 * http other than localhost) or refused, selects the text instead so Ctrl+C / ⌘C copies it.
 * `field` shows the text; it is selected as the fallback.
 */
async function copyText(
  text: string,
  button: HTMLButtonElement,
  field?: HTMLInputElement | HTMLTextAreaElement,
) {
  try {
    await navigator.clipboard.writeText(text);
    flashCopied(button);
    announce("Copied to the clipboard.");
    return;
  } catch {
    // Fall through to selecting the text.
  }
  let target = field;
  if (!target) {
    const next = button.nextElementSibling;
    if (next instanceof HTMLInputElement && next.classList.contains("copy-fallback")) target = next;
    else {
      target = h("input", { class: "copy-fallback", readonly: true, "aria-label": "Text to copy" });
      button.after(target);
    }
    target.value = text;
  }
  target.focus();
  target.select();
  // The pre-Clipboard-API way, still honoured during a click on pages served over plain http.
  if (document.execCommand("copy")) {
    flashCopied(button);
    announce("Copied to the clipboard.");
  } else {
    announce("The text is selected: press Ctrl+C (⌘C on a Mac) to copy it.");
  }
}

function flashCopied(button: HTMLButtonElement) {
  button.dataset.copied = "true";
  window.setTimeout(() => {
    delete button.dataset.copied;
  }, 2000);
}

/**
 * A "Copy" button for a text. `label` is the visible text, e.g. "Copy link"; `context` says what
 * is copied, for screen readers, e.g. "to the Overview view".
 */
function copyButton(
  label: string,
  context: string,
  text: () => string,
  field?: () => HTMLInputElement | HTMLTextAreaElement | undefined,
  id?: string,
) {
  const button = h("button", { type: "button", class: "copy", id }, [
    label,
    context ? srOnly(` ${context}`) : null,
  ]);
  button.addEventListener("click", () => void copyText(text(), button, field?.()));
  return button;
}

// ---------------------------------------------------------------------------------------------
// The catalogue

/** "uint8 × 18 channels (assumed)": what a layer's data is expected to be, and how sure we are. */
function expectationSummary(expects: LayerSummary["expects"]) {
  const { dataType, numChannels } = expects;
  const count = Number(numChannels.value);
  const channels = `${count} channel${count === 1 ? "" : "s"}`;
  if (dataType.basis === numChannels.basis)
    return `${dataType.value} × ${channels} (${dataType.basis})`;
  return `${dataType.value} (${dataType.basis}) × ${channels} (${numChannels.basis})`;
}

function renderDataset(dataset: DatasetSummary) {
  const headingId = `dataset-${dataset.id}-title`;
  const layerTitles = new Map(dataset.layers.map((layer) => [layer.id, layer.title]));
  const facts = h("dl", { class: "facts" }, [
    h("dt", {}, ["Licence"]),
    h("dd", {}, [link(dataset.license.url, [dataset.license.name], { rel: "license" })]),
    h("dt", {}, ["Attribution"]),
    h("dd", {}, [dataset.license.attribution]),
    h("dt", {}, ["Citation"]),
    h("dd", {}, [
      dataset.citation.text,
      dataset.citation.url ? " " : null,
      dataset.citation.url ? link(dataset.citation.url, ["(link)"]) : null,
    ]),
    dataset.homepage ? h("dt", {}, ["Homepage"]) : null,
    dataset.homepage ? h("dd", {}, [link(dataset.homepage, [dataset.homepage])]) : null,
    h("dt", {}, ["Data"]),
    h("dd", {}, [h("code", {}, [dataset.dataRoot])]),
  ]);

  const views = h(
    "ul",
    { class: "cards", "aria-label": `Views of ${dataset.title}` },
    dataset.views.map((view) => renderView(dataset, view, layerTitles)),
  );
  const layers = h(
    "ul",
    { class: "cards", "aria-label": `Layer presets of ${dataset.title}` },
    dataset.layers.map((layer) => renderLayer(dataset, layer)),
  );
  return h(
    "section",
    { class: "dataset", id: `dataset-${dataset.id}`, "aria-labelledby": headingId },
    [
      h("h2", { id: headingId }, [dataset.title]),
      h("p", { class: "description" }, [dataset.description]),
      facts,
      h("h3", {}, ["Views"]),
      views,
      h("h3", {}, ["Layer presets"]),
      h("p", { class: "help" }, ["Each layer alone, with its default shader."]),
      layers,
    ],
  );
}

function renderView(dataset: DatasetSummary, view: ViewSummary, layerTitles: Map<string, string>) {
  const layerNames = view.layers.map((id) => layerTitles.get(id) ?? id).join(", ");
  const segmentLayer = view.segmentLayer
    ? (layerTitles.get(view.segmentLayer) ?? view.segmentLayer)
    : null;
  const useButton = h("button", { type: "button", class: "secondary" }, [
    "Use in link builder",
    srOnly(` (${view.title})`),
  ]);
  useButton.addEventListener("click", () => {
    selectView(dataset.id, view.id);
    form.scrollIntoView({ block: "start" });
    (view.segmentLayer ? segmentsField : titleField).focus({ preventScroll: true });
  });
  return h("li", { class: "card", "data-view": `${dataset.id}/${view.id}` }, [
    thumbnail(view.previewUrl, view.title),
    h("h4", {}, [view.title]),
    verificationBadge(view.verification),
    h("p", {}, [view.description]),
    h("p", { class: "meta" }, [`Layers: ${layerNames}.`]),
    h("p", { class: "meta" }, [
      segmentLayer ? `Segment IDs select cells in ${segmentLayer}.` : "No segmentation layer.",
    ]),
    h("div", { class: "actions" }, [
      link(view.openUrl, ["Open", srOnly(` ${view.title}`)], { class: "button primary" }),
      copyButton("Copy link", `to ${view.title}`, () => safeHref(view.openUrl) ?? view.openUrl),
      useButton,
    ]),
  ]);
}

function renderLayer(dataset: DatasetSummary, layer: LayerSummary) {
  const notes = Object.entries(layer.expects)
    .filter(([, expectation]) => expectation.note)
    .map(([, expectation]) => h("li", {}, [expectation.note ?? ""]));
  return h("li", { class: "card", "data-layer": `${dataset.id}/${layer.id}` }, [
    thumbnail(layer.previewUrl, layer.title),
    h("h4", {}, [layer.title]),
    verificationBadge(layer.verification),
    h("p", {}, [layer.description]),
    h("p", { class: "meta" }, [
      `${layer.type === "segmentation" ? "Segmentation" : "Image"} · ${expectationSummary(layer.expects)}`,
    ]),
    h("p", { class: "meta" }, [h("code", {}, [layer.source])]),
    notes.length > 0
      ? h("details", {}, [
          h("summary", {}, ["About the data", srOnly(` of ${layer.title}`)]),
          h("ul", {}, notes),
        ])
      : null,
    h("div", { class: "actions" }, [
      link(layer.openUrl, ["Open", srOnly(` ${layer.title}`)], { class: "button primary" }),
      copyButton("Copy link", `to ${layer.title}`, () => safeHref(layer.openUrl) ?? layer.openUrl),
    ]),
  ]);
}

// ---------------------------------------------------------------------------------------------
// The form

function currentDataset() {
  return datasets.find((dataset) => dataset.id === datasetSelect.value);
}

function currentView() {
  return currentDataset()?.views.find((view) => view.id === viewSelect.value);
}

function fillDatasets() {
  datasetSelect.replaceChildren(
    ...datasets.map((dataset) => h("option", { value: dataset.id }, [dataset.title])),
  );
  fillViews();
}

function fillViews() {
  const dataset = currentDataset();
  viewSelect.replaceChildren(
    ...(dataset?.views ?? []).map((view) => h("option", { value: view.id }, [view.title])),
  );
  describeView();
}

function describeView() {
  const dataset = currentDataset();
  const view = currentView();
  const help = byId("view-help", HTMLParagraphElement);
  if (!dataset || !view) {
    help.textContent = "";
    return;
  }
  const layer = dataset.layers.find((l) => l.id === view.segmentLayer);
  help.textContent = view.segmentLayer
    ? `${view.description} Segment IDs select cells in ${layer?.title ?? view.segmentLayer}.`
    : `${view.description} This view has no segmentation layer, so it takes no segment IDs.`;
}

function selectView(datasetId: string, viewId: string) {
  if (datasets.some((dataset) => dataset.id === datasetId)) {
    datasetSelect.value = datasetId;
    fillViews();
  }
  if (currentDataset()?.views.some((view) => view.id === viewId)) {
    viewSelect.value = viewId;
    describeView();
  }
}

/** Keeps a count under the field as the user types: what the link will contain. */
function countSegments() {
  const parsed = parseSegmentIds(segmentsField.value);
  const parts = [];
  const n = parsed.ids.length;
  if (n > 0) parts.push(`${n} segment ID${n === 1 ? "" : "s"}`);
  if (parsed.errors.length > 0)
    parts.push(`${parsed.errors.length} not valid (checked when you make the link)`);
  if (parsed.duplicates > 0)
    parts.push(`${parsed.duplicates} repeated ID${parsed.duplicates === 1 ? "" : "s"} left out`);
  if (parsed.header !== null) parts.push(`header line “${parsed.header}” skipped`);
  if (parsed.column !== null) parts.push(`${describeColumn(parsed.column)} read`);
  byId("segments-count", HTMLParagraphElement).textContent =
    parts.length > 0 ? `${parts.join("; ")}.` : "";
}

/** Under the table box: rows read, and the bad ones by row and column. */
function previewAnnotations() {
  const preview = previewPointTable(annotationsField.value);
  byId("annotations-count", HTMLParagraphElement).textContent = summarisePreview(preview);
  byId("annotations-problems", HTMLUListElement).replaceChildren(
    ...[...preview.problems, ...preview.notices].map((line) => h("li", {}, [line])),
  );
  return preview;
}

/**
 * Shows problems in the alert region; `field` is marked invalid and focused, with `selection`
 * selected in it (the first offending token).
 */
function showErrors(
  messages: string[],
  options: {
    field?: FormField | undefined;
    selection?: { start: number; end: number } | undefined;
    intro?: string;
  } = {},
) {
  const shown = messages.slice(0, MAX_ERRORS_SHOWN);
  const more = messages.length - shown.length;
  errorsBox.replaceChildren(
    h("p", {}, [
      options.intro ?? (messages.length === 1 ? "Please fix this:" : "Please fix these:"),
    ]),
    h("ul", {}, [
      ...shown.map((message) => h("li", {}, [message])),
      more > 0 ? h("li", {}, [`…and ${more} more.`]) : null,
    ]),
  );
  const field = options.field;
  if (field) {
    field.setAttribute("aria-invalid", "true");
    const described = field.getAttribute("aria-describedby") ?? "";
    if (!described.includes("form-errors"))
      field.setAttribute("aria-describedby", `${described} form-errors`.trim());
    field.focus();
    if (options.selection && !(field instanceof HTMLSelectElement))
      field.setSelectionRange(options.selection.start, options.selection.end);
  }
}

/** Before each attempt: no old errors, and no result of an earlier link next to new ones. */
function clearMessages() {
  errorsBox.replaceChildren();
  formStatus.textContent = "";
  resultBox.hidden = true;
  resultBox.replaceChildren();
  for (const field of [segmentsField, annotationsField, titleField, viewSelect, datasetSelect]) {
    field.removeAttribute("aria-invalid");
    const described = (field.getAttribute("aria-describedby") ?? "")
      .replace(/\s*form-errors/, "")
      .trim();
    if (described) field.setAttribute("aria-describedby", described);
    else field.removeAttribute("aria-describedby");
  }
}

/**
 * A tab opened now, while the click still counts as a user gesture (popup blockers allow it),
 * and sent to the link once there is one. Null when the browser blocked it.
 */
function openPendingTab() {
  const tab = window.open("about:blank", "_blank");
  if (tab) tab.opener = null;
  return tab;
}

async function submit(event: SubmitEvent) {
  event.preventDefault();
  clearMessages();
  const dataset = currentDataset();
  const view = currentView();
  if (!dataset || !view) {
    showErrors(["Choose a view."], { field: viewSelect });
    return;
  }
  const parsed = parseSegmentIds(segmentsField.value);
  if (parsed.errors.length > 0) {
    const first = parsed.errors[0]?.token;
    showErrors(
      parsed.errors.map((error) => error.message),
      { field: segmentsField, selection: first },
    );
    return;
  }
  if (parsed.ids.length > 0 && !view.segmentLayer) {
    showErrors(
      [
        `The view “${view.title}” has no segmentation layer, so it cannot show segments: pick another view or clear the segment IDs.`,
      ],
      { field: viewSelect },
    );
    return;
  }

  const table = previewAnnotations();
  if (table.problems.length > 0) {
    showErrors(table.problems, {
      field: annotationsField,
      intro: "The table of points has problems:",
    });
    return;
  }

  const body: Record<string, unknown> = { dataset: dataset.id, view: view.id };
  if (parsed.ids.length > 0) body.segments = parsed.ids;
  if (table.rows > 0)
    body.annotations = [
      { name: "points", unit: annotationsUnit.value, table: annotationsField.value },
    ];
  const title = titleField.value.trim();
  if (title) body.title = title;

  const tab = newTabBox.checked ? openPendingTab() : null;
  submitButton.disabled = true;
  form.setAttribute("aria-busy", "true");
  formStatus.textContent = "Making the link…";
  try {
    const response = await fetch("/api/links", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (response.ok) {
      formStatus.textContent = "";
      await showLink(answer, tab);
      return;
    }
    formStatus.textContent = "";
    if (response.status === 503 && typeof answer.longUrl === "string") {
      showLongUrl(answer.longUrl, tab);
      return;
    }
    tab?.close();
    if (response.status === 429) {
      const wait = response.headers.get("retry-after");
      showErrors(
        [
          `Too many links were made from here in a short time. ${wait ? `Try again in ${retryAfterText(wait)}.` : "Try again in a minute."}`,
        ],
        { intro: "The link was not made:" },
      );
    } else if (Array.isArray(answer.issues) && answer.issues.length > 0) {
      showServerIssues(answer.issues, parsed.sent, parsed.multiLine);
    } else {
      showErrors(
        [`The service answered ${response.status}: ${answer.error ?? response.statusText}`],
        {
          intro: "The link was not made:",
        },
      );
    }
  } catch (error) {
    tab?.close();
    formStatus.textContent = "";
    showErrors(
      [
        `The service could not be reached (${error instanceof Error ? error.message : String(error)}). Check your connection and try again.`,
      ],
      { intro: "The link was not made:" },
    );
  } finally {
    submitButton.disabled = false;
    form.removeAttribute("aria-busy");
  }
}

/** "30 seconds" from a Retry-After header (seconds, or an HTTP date). */
function retryAfterText(header: string) {
  const seconds = /^\d+$/.test(header)
    ? Number(header)
    : Math.max(1, Math.ceil((Date.parse(header) - Date.now()) / 1000));
  if (!Number.isFinite(seconds)) return "a minute";
  return seconds === 1 ? "1 second" : `${seconds} seconds`;
}

/** The server's 400 issues, with `segments[k]` turned back into the token the user typed. */
function showServerIssues(issues: Issue[], sent: Token[], multiLine: boolean) {
  let field: FormField | undefined;
  let selection: { start: number; end: number } | undefined;
  const messages = issues.map((issue) => {
    const index = /^segments\[(\d+)\]/.exec(issue.path);
    const token = index ? sent[Number(index[1])] : undefined;
    if (token) {
      field ??= segmentsField;
      selection ??= token;
      return `${nameToken(token, multiLine)}: ${issue.message}`;
    }
    if (issue.path.startsWith("annotations")) {
      field ??= annotationsField;
      return `Table of points: ${issue.message}`;
    }
    if (issue.path.startsWith("segments")) field ??= segmentsField;
    else if (issue.path === "title") field ??= titleField;
    else if (issue.path === "view") field ??= viewSelect;
    return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
  });
  showErrors(messages, { field, selection, intro: "The service refused the link:" });
}

async function showLink(
  answer: { id: string; shortUrl: string; previewUrl?: string; warnings?: Issue[] },
  tab: Window | null,
) {
  const shortUrl = safeHref(answer.shortUrl) ?? "";
  if (tab) tab.location.replace(shortUrl);
  const title = titleField.value.trim() || null;
  const parts = [
    h("h3", { id: "result-title", tabindex: "-1" }, ["Your short link"]),
    thumbnail(answer.previewUrl, title ?? "your short link", "short-url-preview"),
    h("p", { class: "short-link" }, [h("a", { id: "short-url", href: shortUrl }, [shortUrl])]),
    h("div", { class: "actions" }, [
      copyButton("Copy link", "", () => shortUrl, undefined, "short-url-copy"),
      h(
        "a",
        {
          id: "short-url-open",
          class: "button primary",
          href: shortUrl,
          target: "_blank",
          rel: "noopener",
        },
        ["Open", srOnly(" the viewer in a new tab")],
      ),
    ]),
  ];
  if (newTabBox.checked && !tab)
    parts.push(h("p", { class: "notice" }, ["Your browser blocked the new tab; use Open above."]));
  if (answer.warnings && answer.warnings.length > 0)
    parts.push(
      h("div", { class: "warnings" }, [
        h("p", {}, ["Made, with warnings:"]),
        h(
          "ul",
          {},
          answer.warnings.map((w) => h("li", {}, [w.path ? `${w.path}: ${w.message}` : w.message])),
        ),
      ]),
    );
  const snippetsBox = h("div", { id: "snippets", class: "snippets" });
  parts.push(snippetsBox);
  resultBox.replaceChildren(...parts.filter((part) => part !== null));
  resultBox.hidden = false;
  mine.remember({ id: answer.id, shortUrl, title });
  announce(`Short link ready: ${shortUrl}`);
  byId("result-title", HTMLHeadingElement).focus();
  await showSnippets(answer.id, snippetsBox);
}

/** Fills the snippets from GET /api/links/:id/snippets; nothing when the service has none. */
async function showSnippets(id: string, box: HTMLElement) {
  let snippets: Snippet[] | undefined;
  try {
    const response = await fetch(`/api/links/${encodeURIComponent(id)}/snippets`, {
      headers: { accept: "application/json" },
    });
    if (!response.ok) return;
    snippets = ((await response.json()) as { snippets?: Snippet[] }).snippets;
  } catch {
    return;
  }
  if (!Array.isArray(snippets) || snippets.length === 0) return;
  box.replaceChildren(
    h("h3", {}, ["Embed or link it"]),
    h("p", { class: "help" }, ["Paste one of these into a page, a wiki or a README."]),
    ...snippets.map(renderSnippet),
  );
}

function renderSnippet(snippet: Snippet) {
  const fieldId = `snippet-${snippet.id}`;
  const noteId = `${fieldId}-note`;
  const field = h("textarea", {
    id: fieldId,
    class: "code",
    readonly: true,
    rows: String(Math.min(6, Math.max(2, Math.ceil(snippet.text.length / 60)))),
    spellcheck: "false",
    "aria-describedby": snippet.note ? noteId : undefined,
  });
  field.value = snippet.text;
  return h("div", { class: "snippet", "data-snippet-id": snippet.id }, [
    h("label", { for: fieldId }, [snippet.label]),
    snippet.note ? h("p", { class: "help", id: noteId }, [snippet.note]) : null,
    field,
    h("div", { class: "actions" }, [
      copyButton(
        "Copy",
        snippet.label,
        () => snippet.text,
        () => field,
      ),
    ]),
  ]);
}

/**
 * The store is down: no short link, but the long URL opens the same view. `tab` was opened for
 * the viewer, if the user asked for a new tab.
 */
function showLongUrl(longUrl: string, tab: Window | null) {
  const href = safeHref(longUrl) ?? "";
  const field = h("textarea", {
    id: "long-url",
    class: "code",
    readonly: true,
    rows: "3",
    "aria-labelledby": "long-url-title",
  });
  field.value = href;
  resultBox.replaceChildren(
    h("h3", { id: "long-url-title", tabindex: "-1" }, [
      "No short link right now: use this long link",
    ]),
    h("p", {}, [
      "The service cannot store links at the moment. This long link holds the whole view in its address, so it works without the store; it may be too long for some chats and wikis, so try again later for a short one.",
    ]),
    field,
    h("div", { class: "actions" }, [
      copyButton(
        "Copy long link",
        "",
        () => href,
        () => field,
        "long-url-copy",
      ),
      h(
        "a",
        { id: "long-url-open", class: "button primary", href, target: "_blank", rel: "noopener" },
        ["Open", srOnly(" the viewer in a new tab")],
      ),
    ]),
  );
  resultBox.hidden = false;
  if (tab) tab.location.replace(href);
  byId("long-url-title", HTMLHeadingElement).focus();
}

// ---------------------------------------------------------------------------------------------
// Start

/** `?dataset=&view=&segments=&title=` fill the form, so a page can link to a prepared builder. */
function prefillFromQuery() {
  const query = new URLSearchParams(window.location.search);
  selectView(query.get("dataset") ?? datasetSelect.value, query.get("view") ?? viewSelect.value);
  const segments = query.get("segments");
  if (segments) segmentsField.value = segments;
  const title = query.get("title");
  if (title) titleField.value = title;
}

async function start() {
  const status = byId("gallery-status", HTMLParagraphElement);
  form.addEventListener("submit", (event) => void submit(event));
  datasetSelect.addEventListener("change", fillViews);
  viewSelect.addEventListener("change", describeView);
  segmentsField.addEventListener("input", countSegments);
  annotationsField.addEventListener("input", previewAnnotations);
  try {
    const response = await fetch("/api/presets", { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`the service answered ${response.status}`);
    datasets = ((await response.json()) as { datasets: DatasetSummary[] }).datasets;
  } catch (error) {
    status.textContent = `The datasets could not be loaded (${error instanceof Error ? error.message : String(error)}). Reload the page to try again.`;
    status.classList.add("error");
    submitButton.disabled = true;
    return;
  }
  fillDatasets();
  prefillFromQuery();
  countSegments();
  byId("datasets", HTMLDivElement).replaceChildren(...datasets.map(renderDataset));
  status.textContent = "";
  document.body.dataset.ready = "true";
}

const mine = myLinks({ h, copyButton, renderSnippet, safeHref, announce });
void start();
