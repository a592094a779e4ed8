// The "Open in Neuroglancer" badge: a small static shields-style SVG for READMEs and wikis.
// Text widths are estimated from Verdana's advance widths, so no font is needed at build time.
import { escapeHtml } from "./escaping.js";

export const BADGE_HEIGHT = 20;
const PADDING = 6;
const FONT_SIZE = 11;

// Verdana 11px advance widths, rounded; characters not listed count as an average lower-case one.
const NARROW = new Set([..."fijlrtI!.,:;'|()[] "]);
const WIDE = new Set([..."mwMW@%"]);

function textWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    if (NARROW.has(char)) width += 4;
    else if (WIDE.has(char)) width += 10.5;
    else if (char >= "A" && char <= "Z") width += 7.5;
    else if (char >= "0" && char <= "9") width += 7;
    else width += 6.6;
  }
  return Math.ceil(width);
}

function badgeDimensions(label: string, message: string) {
  const labelWidth = textWidth(label) + 2 * PADDING;
  const messageWidth = textWidth(message) + 2 * PADDING;
  return { width: labelWidth + messageWidth, height: BADGE_HEIGHT, labelWidth, messageWidth };
}

/** A static SVG badge reading "label | message", with a `<title>` for screen readers. */
export function badgeSvg(label = "Open in", message = "Neuroglancer"): string {
  const { width, height, labelWidth, messageWidth } = badgeDimensions(label, message);
  const name = escapeHtml(`${label}: ${message}`);
  const left = escapeHtml(label);
  const right = escapeHtml(message);
  const labelX = labelWidth / 2;
  const messageX = labelWidth + messageWidth / 2;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${name}">`,
    `<title>${name}</title>`,
    `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`,
    `<clipPath id="r"><rect width="${width}" height="${height}" rx="3" fill="#fff"/></clipPath>`,
    `<g clip-path="url(#r)"><rect width="${labelWidth}" height="${height}" fill="#555"/><rect x="${labelWidth}" width="${messageWidth}" height="${height}" fill="#0b7a75"/><rect width="${width}" height="${height}" fill="url(#s)"/></g>`,
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="${FONT_SIZE}">`,
    `<text x="${labelX}" y="15" fill="#010101" fill-opacity=".3" aria-hidden="true">${left}</text>`,
    `<text x="${labelX}" y="14">${left}</text>`,
    `<text x="${messageX}" y="15" fill="#010101" fill-opacity=".3" aria-hidden="true">${right}</text>`,
    `<text x="${messageX}" y="14">${right}</text>`,
    "</g></svg>",
  ].join("");
}
