// Full embed pages (/embed/...?autoload=1, where the light page's "Explore in 3D" leads): runs
// before the Neuroglancer bundle. The viewer must not take keyboard focus from the host page
// until the user clicks into the frame, and starts with its layer panel collapsed to leave the
// small frame to the data. Bundled as a classic script (an IIFE).

/** The part of Neuroglancer's global `viewer` (set by its main bundle once started) used here. */
type PageWithViewer = Window & {
  viewer?: { uiConfiguration?: { showLayerPanel: { value: boolean } } };
};

const focusElement = HTMLElement.prototype.focus;
const focusWindow = window.focus;
let active = false;

// Neuroglancer focuses its panels as it starts; in an iframe that would pull the host
// page's keyboard focus (and scroll) into the frame. Hold every focus() until activation.
HTMLElement.prototype.focus = function focus(this: HTMLElement, ...args) {
  if (active) focusElement.apply(this, args);
};
window.focus = () => {
  if (active) focusWindow.call(window);
};

function activate() {
  if (active) return;
  active = true;
  document.documentElement.classList.add("nglaunch-embed-active");
}

document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest(".nglaunch-embed-activate")) {
    event.preventDefault();
    activate();
  }
});
// Keyboard users who tab into the frame activate it too.
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" || event.key === " ") activate();
});

// A frame that has the focus as it loads was navigated here by the reader: "Explore in 3D" on
// the light embed page (a click, Enter or Space keeps the focus in the frame). They asked for
// the viewer, so it is active at once. A wiki's ?autoload=1 embed loads while the host page
// has the focus, and waits for its click.
if (document.hasFocus()) activate();

// Collapse the layer panel once the viewer exists (main.bundle sets window.viewer).
const started = Date.now();
const timer = window.setInterval(() => {
  const viewer = (window as PageWithViewer).viewer;
  if (viewer?.uiConfiguration) {
    window.clearInterval(timer);
    viewer.uiConfiguration.showLayerPanel.value = false;
  } else if (Date.now() - started > 30000) {
    window.clearInterval(timer);
  }
}, 50);

export {};
