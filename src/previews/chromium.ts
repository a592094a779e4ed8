// Finds the Chromium the preview renderer drives: the configured path when there is one, else
// the usual places Debian, Ubuntu and Google's packages install it.
import { accessSync, constants, statSync } from "node:fs";

/** Where distributions put Chromium or Chrome, most likely first. */
export const CHROMIUM_CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/snap/bin/chromium",
];

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The browser to launch: `explicit` when it is given (and then only it: a wrong CHROMIUM_PATH
 * must not silently fall back to another browser), else the first candidate installed; null
 * when there is none.
 */
export function findChromium(explicit?: string): string | null {
  if (explicit !== undefined && explicit !== "")
    return isExecutableFile(explicit) ? explicit : null;
  return CHROMIUM_CANDIDATES.find(isExecutableFile) ?? null;
}

/**
 * The flags that make headless Chromium render WebGL in software on a machine without a GPU
 * (../shared/notes/neuroglancer-client-bundling.md), and keep it from calling home. The preview
 * renderer and the browser tests launch with the same ones; playwright adds --headless and a
 * fresh temporary profile (--user-data-dir) itself.
 */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
