// The fallback preview: a PNG card with the link's title, dataset, attribution and "Open in
// Neuroglancer", drawn without a browser, for when the renderer is off, busy or fails. Chat apps
// and wikis do not accept SVG images, so the card is laid out as SVG and rasterised by resvg
// (@resvg/resvg-js), with the DejaVu fonts of the `dejavu-fonts-ttf` package so the text looks
// the same on every machine, whatever fonts it has.
import { createRequire } from "node:module";
import { renderAsync } from "@resvg/resvg-js";
import { escapeHtml } from "../domain/escaping.js";

/** What a preview says about its link: the card shows it all, a rendered preview's strip too. */
export interface Caption {
  title: string;
  dataset: string;
  /** The data's licence and credit line (the data is CC BY-SA: every image must carry it). */
  attribution: string;
}

export type CardRequest = Caption & { width: number; height: number };

const require = createRequire(import.meta.url);
const FONT_FILES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"].map((file) =>
  require.resolve(`dejavu-fonts-ttf/ttf/${file}`),
);
const FONT_FAMILY = "DejaVu Sans";

/** The size the layout is designed at (OpenGraph's); other sizes scale it. */
const BASE = { width: 1200, height: 630 };

// Characters XML 1.0 forbids (most C0 controls, lone surrogates, U+FFFE/U+FFFF): an SVG with
// one does not parse, so they are dropped. Whitespace runs (newlines, tabs) become one space.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
// Bidirectional embeddings and overrides: a title could use them to reorder the text after it.
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/** Text as it may stand in the card: valid XML characters, single spaces, trimmed. */
export function cleanText(text: string): string {
  return text.replace(NOT_XML, "").replace(BIDI_CONTROLS, "").replace(/\s+/g, " ").trim();
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

function splitGraphemes(text: string): string[] {
  return Array.from(graphemes.segment(text), (s) => s.segment);
}

// East Asian wide and fullwidth characters, and emoji, take about one em; DejaVu Sans averages
// a little under 0.6 em for Latin text, so 0.62 keeps estimated lines inside the card.
const WIDE =
  /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1FAFF}\u{20000}-\u{3FFFD}]/u;

/**
 * The estimated width of text in ems. resvg does not wrap text, and measuring each candidate
 * line by rasterising it would cost a render per word, so lines are broken on this estimate,
 * which errs on the wide side.
 */
function estimateEms(text: string): number {
  let ems = 0;
  for (const g of splitGraphemes(text)) ems += WIDE.test(g) ? 1 : 0.62;
  return ems;
}

const ELLIPSIS = "…";

/** The longest start of `text` that fits `maxEms` with an ellipsis after it. */
function ellipsise(text: string, maxEms: number): string {
  const parts = splitGraphemes(text);
  while (parts.length > 0 && estimateEms(parts.join("") + ELLIPSIS) > maxEms) parts.pop();
  return parts.join("").trimEnd() + ELLIPSIS;
}

/**
 * Breaks text into at most `maxLines` lines of at most `maxEms` each, at spaces where it can
 * and inside a word that is wider than a line; text left over ends the last line with "…".
 */
export function wrapText(text: string, maxEms: number, maxLines: number): string[] {
  const words = text.split(" ").filter(Boolean);
  const lines: string[] = [];
  let line = "";
  let i = 0;
  while (i < words.length) {
    const word = words[i] ?? "";
    const candidate = line === "" ? word : `${line} ${word}`;
    if (estimateEms(candidate) <= maxEms) {
      line = candidate;
      i++;
      continue;
    }
    if (line !== "") {
      // The word starts the next line.
      lines.push(line);
      line = "";
    } else {
      // A word wider than a whole line: cut it where the line is full.
      const parts = splitGraphemes(word);
      let cut = 1;
      while (cut < parts.length && estimateEms(parts.slice(0, cut + 1).join("")) <= maxEms) cut++;
      lines.push(parts.slice(0, cut).join(""));
      const rest = parts.slice(cut).join("");
      if (rest === "") i++;
      else words[i] = rest;
    }
    if (lines.length === maxLines) {
      const rest = words.slice(i).join(" ");
      if (rest !== "") lines[maxLines - 1] = ellipsise(`${lines[maxLines - 1]} ${rest}`, maxEms);
      return lines;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** One line of text, cut with "…" when it is wider than `maxEms`. */
function oneLine(text: string, maxEms: number): string {
  return estimateEms(text) <= maxEms ? text : ellipsise(text, maxEms);
}

interface TextStyle {
  size: number;
  fill: string;
  bold?: boolean;
}

function textElement(x: number, y: number, text: string, style: TextStyle): string {
  const weight = style.bold ? ' font-weight="bold"' : "";
  return `<text x="${x}" y="${y}" font-size="${style.size}" fill="${style.fill}"${weight}>${escapeHtml(text)}</text>`;
}

/** The card's SVG: exported so tests can read the text it lays out. */
export function cardSvg({ title, dataset, attribution, width, height }: CardRequest): string {
  const s = Math.min(width / BASE.width, height / BASE.height);
  const r = (n: number) => Math.round(n * s * 10) / 10;
  const margin = r(64);
  const textWidth = width - 2 * margin;
  const parts: string[] = [
    `<rect width="${width}" height="${height}" fill="#14181f"/>`,
    `<rect width="${r(12)}" height="${height}" fill="#3a7bd5"/>`,
    textElement(margin, r(88), "nglaunch · Neuroglancer view", { size: r(28), fill: "#8cc8ff" }),
  ];

  const titleSize = r(60);
  // Bold glyphs are about a tenth wider than the estimate's regular ones.
  const titleEms = textWidth / (titleSize * 1.1);
  const titleLines = wrapText(cleanText(title) || "Untitled view", titleEms, 3);
  let y = r(88) + r(96);
  for (const line of titleLines) {
    parts.push(textElement(margin, y, line, { size: titleSize, fill: "#ffffff", bold: true }));
    y += r(74);
  }
  const datasetSize = r(34);
  const datasetText = cleanText(dataset);
  if (datasetText !== "")
    parts.push(
      textElement(margin, y + r(10), oneLine(datasetText, textWidth / datasetSize), {
        size: datasetSize,
        fill: "#c8d0da",
      }),
    );

  // The call to action, as a button-like pill above the attribution.
  const buttonSize = r(30);
  const label = "Open in Neuroglancer";
  const buttonWidth = r(estimateEms(label) * 30 + 56);
  const buttonTop = height - r(170);
  parts.push(
    `<rect x="${margin}" y="${buttonTop}" width="${buttonWidth}" height="${r(64)}" rx="${r(32)}" fill="#3a7bd5"/>`,
    textElement(margin + r(28), buttonTop + r(43), `${label} ›`, {
      size: buttonSize,
      fill: "#ffffff",
      bold: true,
    }),
  );

  const creditSize = r(22);
  const credit = wrapText(cleanText(attribution), textWidth / creditSize, 2);
  let creditY = height - r(70) + (credit.length === 1 ? r(28) : 0);
  for (const line of credit) {
    parts.push(textElement(margin, creditY, line, { size: creditSize, fill: "#9aa4b0" }));
    creditY += r(28);
  }

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}">`,
    ...parts,
    "</svg>",
  ].join("");
}

/**
 * The card as a PNG of exactly width x height. Asynchronous: resvg rasterises on libuv's thread
 * pool, so a burst of cards does not stall the event loop.
 */
export async function renderCard(card: CardRequest): Promise<Buffer> {
  const image = await renderAsync(cardSvg(card), {
    fitTo: { mode: "original" },
    // Only the packaged fonts: the same picture everywhere, and no font scan per card.
    font: { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: FONT_FAMILY },
  });
  return image.asPng();
}
