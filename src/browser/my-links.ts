// "My links" on the gallery page: the short links and names made in this browser, with the edit
// tokens of the names, kept in the browser's own storage (no accounts, nothing on the server).
// Actions never rename anything: copy, open, embed snippets, give a link a name, move a name to
// the current link, forget. The gallery hands in its DOM helpers, so both build elements alike.

/** What the gallery lends this module: its element builder, copy button and snippet renderer. */
export interface GalleryKit {
  h<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    attributes?: Record<string, string | boolean | undefined>,
    children?: (Node | string | null | undefined | false)[],
  ): HTMLElementTagNameMap[K];
  copyButton(label: string, context: string, text: () => string): HTMLButtonElement;
  renderSnippet(snippet: { id: string; label: string; text: string; note?: string }): HTMLElement;
  safeHref(url: string | undefined): string | undefined;
  announce(message: string): void;
}

interface SavedLink {
  id: string;
  shortUrl: string;
  title: string | null;
}

interface SavedName {
  name: string;
  url: string;
  token: string;
  /** The version this browser last saw; sent as If-Match, so moves never overwrite blindly. */
  version: number;
  linkId: string;
}

interface Saved {
  links: SavedLink[];
  names: SavedName[];
}

/** A link just made by the gallery form (the fields of a POST /api/links answer used here). */
export interface MadeLink {
  id: string;
  shortUrl: string;
  title?: string | null;
}

const STORAGE_KEY = "nglaunch.my-links.v1";
/** Oldest entries beyond this are dropped, so storage cannot grow without bound. */
const MAX_ENTRIES = 200;
const NAME_FORM = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,63}$/;

const isString = (value: unknown): value is string => typeof value === "string";

/** What storage holds, keeping only well-formed entries: it may be old, edited or corrupt. */
function load(): Saved {
  let raw: unknown;
  try {
    raw = JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? "{}");
  } catch {
    raw = {};
  }
  const data = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const list = (value: unknown) =>
    (Array.isArray(value) ? value : []).filter(
      (entry): entry is Record<string, unknown> => entry !== null && typeof entry === "object",
    );
  return {
    links: list(data.links)
      .filter((l) => isString(l.id) && isString(l.shortUrl))
      .map((l) => ({
        id: l.id as string,
        shortUrl: l.shortUrl as string,
        title: isString(l.title) ? l.title : null,
      })),
    names: list(data.names)
      .filter(
        (n) =>
          isString(n.name) &&
          isString(n.url) &&
          isString(n.token) &&
          isString(n.linkId) &&
          Number.isInteger(n.version),
      )
      .map((n) => ({
        name: n.name as string,
        url: n.url as string,
        token: n.token as string,
        version: n.version as number,
        linkId: n.linkId as string,
      })),
  };
}

function store(saved: Saved): boolean {
  try {
    window.localStorage.setItem(
      STORAGE_KEY,
      JSON.stringify({
        links: saved.links.slice(0, MAX_ENTRIES),
        names: saved.names.slice(0, MAX_ENTRIES),
      }),
    );
    return true;
  } catch {
    return false; // storage full or disabled (private windows): the page still works
  }
}

async function jsonOf(response: Response): Promise<Record<string, unknown>> {
  return (await response.json().catch(() => ({}))) as Record<string, unknown>;
}

/** The first issue's message or the error, for a refused request. */
function refusal(answer: Record<string, unknown>, status: number): string {
  const issues = Array.isArray(answer.issues) ? answer.issues : [];
  const first = issues[0] as { message?: unknown } | undefined;
  if (first && isString(first.message)) return first.message;
  if (isString(answer.error)) return answer.error;
  return `the service answered ${status}`;
}

/**
 * Renders "My links" into #my-links and returns the hook the gallery calls with every link it
 * makes. The link made last on this page is the "current link" names can move to.
 */
export function myLinks(kit: GalleryKit): { remember(link: MadeLink): void } {
  const { h } = kit;
  const section = document.getElementById("my-links");
  let current: SavedLink | null = null;
  /** Messages shown under an entry after an action, by entry key, until the next render. */
  const notes = new Map<string, string>();

  function update(change: (saved: Saved) => void, message?: [string, string]) {
    const saved = load();
    change(saved);
    if (!store(saved)) kit.announce("This browser does not let the page keep your links.");
    if (message) notes.set(message[0], message[1]);
    render();
  }

  function actionsOf(url: string, context: string, snippetsUrl: string): HTMLElement[] {
    const href = kit.safeHref(url) ?? "";
    const snippets = h("div", { class: "snippets", hidden: true });
    const embed = h("button", { type: "button", "aria-expanded": "false" }, ["Embed snippets"]);
    embed.addEventListener("click", async () => {
      const open = embed.getAttribute("aria-expanded") === "true";
      embed.setAttribute("aria-expanded", String(!open));
      snippets.hidden = open;
      if (open || snippets.childElementCount > 0) return;
      try {
        const response = await fetch(snippetsUrl, { headers: { accept: "application/json" } });
        const answer = (await jsonOf(response)) as { snippets?: unknown };
        const list = Array.isArray(answer.snippets) ? answer.snippets : [];
        snippets.replaceChildren(...list.map((s) => kit.renderSnippet(s)));
      } catch {
        snippets.replaceChildren(h("p", { class: "help" }, ["The snippets could not be loaded."]));
      }
    });
    return [
      h("div", { class: "actions" }, [
        kit.copyButton("Copy link", context, () => href),
        h("a", { class: "button", href, target: "_blank", rel: "noopener" }, [
          "Open",
          h("span", { class: "visually-hidden" }, [` ${context}`]),
        ]),
        embed,
      ]),
      snippets,
    ];
  }

  function forgetButton(context: string, forget: (saved: Saved) => void) {
    const button = h("button", { type: "button", class: "forget" }, [
      "Forget",
      h("span", { class: "visually-hidden" }, [` ${context} in this browser`]),
    ]);
    button.addEventListener("click", () => update(forget));
    return button;
  }

  function nameForm(link: SavedLink): HTMLElement {
    const inputId = `name-for-${link.id}`;
    const input = h("input", {
      id: inputId,
      type: "text",
      maxlength: "64",
      autocomplete: "off",
      spellcheck: "false",
      placeholder: "ca3-proofread",
      pattern: NAME_FORM.source,
    });
    const form = h("form", { class: "name-form" }, [
      h("label", { for: inputId }, ["Give it a name"]),
      input,
      h("button", { type: "submit" }, ["Create name"]),
    ]);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const name = input.value.trim();
      const key = `link:${link.id}`;
      if (!NAME_FORM.test(name)) {
        notes.set(key, "Names have 3 to 64 lowercase letters, digits and single hyphens.");
        render();
        return;
      }
      try {
        const response = await fetch("/api/names", {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify({ name, link: link.id }),
        });
        const answer = await jsonOf(response);
        const current = answer.current as { version?: unknown; linkId?: unknown } | undefined;
        if (response.status !== 201 || !isString(answer.token) || !isString(answer.url)) {
          notes.set(key, `No name made: ${refusal(answer, response.status)}`);
          render();
          return;
        }
        const saved: SavedName = {
          name,
          url: answer.url,
          token: answer.token,
          version: typeof current?.version === "number" ? current.version : 1,
          linkId: link.id,
        };
        update(
          (all) => {
            all.names = [saved, ...all.names.filter((n) => n.name !== name)];
          },
          [
            `name:${name}`,
            "Named. Its edit token is kept in this browser only: copy it somewhere safe too (Show token), it is the only way to move the name.",
          ],
        );
        kit.announce(`Name ${name} created.`);
      } catch {
        notes.set(key, "The service could not be reached; try again.");
        render();
      }
    });
    return form;
  }

  async function move(entry: SavedName, target: SavedLink) {
    const key = `name:${entry.name}`;
    let response: Response;
    try {
      response = await fetch(`/api/names/${encodeURIComponent(entry.name)}`, {
        method: "PUT",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          authorization: `Bearer ${entry.token}`,
          "if-match": `"${entry.version}"`,
        },
        body: JSON.stringify({ link: target.id }),
      });
    } catch {
      notes.set(key, "The service could not be reached; try again.");
      render();
      return;
    }
    const answer = await jsonOf(response);
    const replace = (change: Partial<SavedName>) => (saved: Saved) => {
      saved.names = saved.names.map((n) => (n.name === entry.name ? { ...n, ...change } : n));
    };
    if (response.ok) {
      const version = (answer.current as { version?: unknown } | undefined)?.version;
      update(
        replace({
          version: typeof version === "number" ? version : entry.version + 1,
          linkId: target.id,
        }),
        [key, `Moved: ${entry.name} now opens ${target.shortUrl}. Pages that embed it follow.`],
      );
      kit.announce(`${entry.name} moved.`);
    } else if (response.status === 412 && typeof answer.currentVersion === "number") {
      // Someone else moved it: remember their version, so a second press is a deliberate choice.
      update(replace({ version: answer.currentVersion }), [
        key,
        `Someone moved ${entry.name} meanwhile (it is at version ${answer.currentVersion}). Check it, then press Move again to replace their version.`,
      ]);
    } else {
      notes.set(key, `Not moved: ${refusal(answer, response.status)}`);
      render();
    }
  }

  function renderLink(link: SavedLink): HTMLElement {
    const context = link.title ?? link.shortUrl;
    const note = notes.get(`link:${link.id}`);
    return h("li", { class: "my-link", "data-link-id": link.id }, [
      h("p", {}, [
        h("a", { href: kit.safeHref(link.shortUrl) ?? "" }, [link.shortUrl]),
        link.title ? ` ${link.title}` : null,
        current?.id === link.id ? h("strong", {}, [" (current link)"]) : null,
      ]),
      ...actionsOf(link.shortUrl, context, `/api/links/${encodeURIComponent(link.id)}/snippets`),
      nameForm(link),
      note ? h("p", { class: "status", role: "status" }, [note]) : null,
      forgetButton(context, (saved) => {
        saved.links = saved.links.filter((l) => l.id !== link.id);
      }),
    ]);
  }

  function renderName(entry: SavedName, target: SavedLink | null): HTMLElement {
    const note = notes.get(`name:${entry.name}`);
    const moveButton = h("button", { type: "button", class: "move" }, [
      "Move to the current link",
      h("span", { class: "visually-hidden" }, [target ? ` (${target.shortUrl})` : ""]),
    ]);
    // Not disabled when this browser thinks the name already opens the target: someone else
    // may have moved it since, and the If-Match of the move finds that out.
    moveButton.disabled = target === null;
    if (target) moveButton.addEventListener("click", () => void move(entry, target));
    const tokenBox = h("div", { class: "token", hidden: true }, [
      h("code", {}, [entry.token]),
      kit.copyButton("Copy token", `of ${entry.name}`, () => entry.token),
    ]);
    const show = h("button", { type: "button", "aria-expanded": "false" }, ["Show token"]);
    show.addEventListener("click", () => {
      tokenBox.hidden = !tokenBox.hidden;
      show.setAttribute("aria-expanded", String(!tokenBox.hidden));
    });
    return h("li", { class: "my-name", "data-name": entry.name }, [
      h("p", {}, [
        h("a", { href: kit.safeHref(entry.url) ?? "" }, [entry.url]),
        ` version ${entry.version}`,
      ]),
      ...actionsOf(entry.url, entry.name, `/api/names/${encodeURIComponent(entry.name)}/snippets`),
      h("div", { class: "actions" }, [moveButton, show]),
      tokenBox,
      note ? h("p", { class: "status", role: "status" }, [note]) : null,
      forgetButton(entry.name, (saved) => {
        saved.names = saved.names.filter((n) => n.name !== entry.name);
      }),
    ]);
  }

  function render() {
    if (!section) return;
    const saved = load();
    const target = current ?? saved.links[0] ?? null;
    section.replaceChildren(
      h("h2", { id: "my-links-title" }, ["My links"]),
      h("p", { class: "help" }, [
        "Links and names made in this browser, kept only in its storage: another browser, or clearing this one's data, will not have them. A name is one address you can move to a newer link while wiki pages that embed it follow; its edit token is a secret.",
      ]),
      h("h3", {}, ["Names"]),
      saved.names.length > 0
        ? h(
            "ul",
            { class: "my-names" },
            saved.names.map((n) => renderName(n, target)),
          )
        : h("p", { class: "help" }, ["No names yet: give one of your links a name below."]),
      h("h3", {}, ["Short links"]),
      saved.links.length > 0
        ? h("ul", { class: "my-links" }, saved.links.map(renderLink))
        : h("p", { class: "help" }, ["No links yet: the links you make above appear here."]),
    );
    notes.clear();
  }

  render();
  return {
    remember(link) {
      current = { id: link.id, shortUrl: link.shortUrl, title: link.title ?? null };
      const made = current;
      update((saved) => {
        saved.links = [made, ...saved.links.filter((l) => l.id !== made.id)];
      });
    },
  };
}
