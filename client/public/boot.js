// Runs as a classic script while the page is parsed, before the Neuroglancer module: it points the
// Share button at this service and turns the server's state data block into the URL fragment.
(() => {
  // Neuroglancer reads this free global when it starts (lib/datasource/state_share.js).
  globalThis.STATE_SERVERS = {
    nglaunch: { url: `${location.origin}/api/share`, default: true },
  };

  function hasState() {
    return location.hash !== "" && location.hash !== "#" && location.hash !== "#!";
  }

  // The same escaping as Neuroglancer's own fragments (lib/ui/url_hash_binding.js).
  function encodeState(state) {
    return encodeURI(JSON.stringify(state)).replace(
      /[!'()*;,]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  }

  // The data block holds a state object, or a string: the URL of a state JSON.
  function fragmentFromDataBlock() {
    const block = document.getElementById("nglaunch-state");
    if (block === null) return null;
    let value;
    try {
      value = JSON.parse(block.textContent);
    } catch (error) {
      console.warn("nglaunch: the state data block is not JSON", error);
      return null;
    }
    if (typeof value === "string") {
      // Neuroglancer fetches `#!<scheme>://…` itself; it needs an absolute URL.
      return new URL(value, location.href).href;
    }
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      return encodeState(value);
    }
    console.warn("nglaunch: the state data block is neither a state object nor a URL");
    return null;
  }

  function showWelcome() {
    const banner = document.createElement("div");
    banner.className = "nglaunch-welcome";
    banner.setAttribute("role", "note");
    const link = document.createElement("a");
    link.href = "/gallery";
    link.textContent = "Open a view from the gallery";
    const close = document.createElement("button");
    close.type = "button";
    close.title = "Dismiss";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "\u00d7";
    close.addEventListener("click", () => banner.remove());
    banner.append(link, close);
    document.body.append(banner);
  }

  if (!hasState()) {
    const fragment = fragmentFromDataBlock();
    if (fragment !== null) history.replaceState(null, "", `#!${fragment}`);
  }
  if (!hasState()) showWelcome();
})();
