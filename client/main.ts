// Module entry of the viewer page: the stock Neuroglancer viewer. Module scripts run after the
// document is parsed, so public/boot.js has already set STATE_SERVERS and the URL fragment.
import "neuroglancer/unstable/main.bundle.js";
