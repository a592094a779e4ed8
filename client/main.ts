// Module entry of the viewer page: the stock Neuroglancer viewer. Module scripts run after the
// document is parsed, so public/boot.js has already set STATE_SERVERS and the URL fragment.
import "neuroglancer/unstable/main.bundle.js";
import { initialStateUrl, watchUndrawableLayers } from "./unsupported-notice.js";

// main.bundle.js has created the viewer (window.viewer) by the time this runs.
const { viewer } = window as unknown as { viewer?: Parameters<typeof watchUndrawableLayers>[0] };
if (viewer === undefined) console.warn("nglaunch: no Neuroglancer viewer on this page");
else watchUndrawableLayers(viewer, initialStateUrl());
