// Embed pages: runs before the Neuroglancer bundle. The viewer must not take keyboard focus
// from the host page until the user clicks into the frame, and starts with its layer panel
// collapsed to leave the small frame to the data.
(() => {
  const focusElement = HTMLElement.prototype.focus;
  const focusWindow = window.focus;
  let active = false;

  // Neuroglancer focuses its panels as it starts; in an iframe that would pull the host
  // page's keyboard focus (and scroll) into the frame. Hold every focus() until activation.
  HTMLElement.prototype.focus = function focus(...args) {
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

  // Collapse the layer panel once the viewer exists (main.bundle sets window.viewer).
  const started = Date.now();
  const timer = setInterval(() => {
    const viewer = window.viewer;
    if (viewer?.uiConfiguration) {
      clearInterval(timer);
      viewer.uiConfiguration.showLayerPanel.value = false;
    } else if (Date.now() - started > 30000) {
      clearInterval(timer);
    }
  }, 50);
})();
