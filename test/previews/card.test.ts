// The fallback card: a real PNG of the asked size with its text drawn, whatever the title holds
// (markup characters, any Unicode, XML-invalid controls, a title far too long for the card).
import { describe, expect, it } from "vitest";
import {
  type CardRequest,
  cardSvg,
  cleanText,
  renderCard,
  wrapText,
} from "../../src/previews/card.js";
import { type DecodedImage, decodePng, pixelAt } from "../helpers/png.js";

const CAPTION = {
  title: "Mossy fibre boutiques in CA3",
  dataset: "E11 Bio PRISM: mouse hippocampus CA3",
  attribution: "Data: E11 Bio PRISM dataset (s3://e11bio-prism), CC BY-SA 4.0.",
};

/** Pixels in a box whose colour is near white: drawn text (the background is dark). */
function lightPixels(image: DecodedImage, box: { x0: number; y0: number; x1: number; y1: number }) {
  let count = 0;
  for (let y = box.y0; y < box.y1; y++)
    for (let x = box.x0; x < box.x1; x++) {
      const p = pixelAt(image, x, y);
      if (p.r > 150 && p.g > 150 && p.b > 150) count++;
    }
  return count;
}

async function render(request: CardRequest): Promise<DecodedImage> {
  const png = await renderCard(request);
  expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
  return decodePng(png);
}

describe("fallback card", () => {
  it("is a PNG of the asked size with the title, dataset, attribution and call to action drawn", async () => {
    const image = await render({ ...CAPTION, width: 1200, height: 630 });
    expect([image.width, image.height]).toEqual([1200, 630]);
    // Dark background in a corner, light text where the title stands and where the credit does.
    const corner = pixelAt(image, 1190, 10);
    expect(corner.r + corner.g + corner.b).toBeLessThan(120);
    expect(lightPixels(image, { x0: 64, y0: 130, x1: 1136, y1: 200 })).toBeGreaterThan(2000);
    expect(lightPixels(image, { x0: 64, y0: 560, x1: 1136, y1: 600 })).toBeGreaterThan(200);
    const svg = cardSvg({ ...CAPTION, width: 1200, height: 630 });
    for (const text of [
      "Mossy fibre boutiques",
      "hippocampus CA3",
      "Open in Neuroglancer",
      "CC BY-SA 4.0",
    ])
      expect(svg).toContain(text);
  });

  it("scales to other sizes", async () => {
    for (const [width, height] of [
      [600, 315],
      [320, 200],
      [1600, 900],
    ] as const) {
      const image = await render({ ...CAPTION, width, height });
      expect([image.width, image.height]).toEqual([width, height]);
      expect(
        lightPixels(image, { x0: 0, y0: 0, x1: width, y1: Math.round(height / 2) }),
      ).toBeGreaterThan(50);
    }
  });

  it("escapes markup and drops what XML cannot hold, for any Unicode title", async () => {
    const title =
      "A <b>\"bold\"</b> & 'quoted' </svg><script>x</script> \u0000\u0007\uFFFE\uD800 Ünïcödé 日本語 🧠 \u202Eevil";
    const svg = cardSvg({ ...CAPTION, title, width: 1200, height: 630 });
    expect(svg).not.toContain("<b>");
    expect(svg).not.toContain("<script>");
    expect(svg.match(/<\/svg>/g)).toHaveLength(1);
    expect(svg).toContain("&lt;b&gt;&quot;bold&quot;&lt;/b&gt; &amp; &#39;quoted&#39;");
    expect(svg).toContain("Ünïcödé 日本語 🧠");
    for (const dropped of ["\u0000", "\u0007", "\uFFFE", "\uD800", "\u202E"])
      expect(svg.includes(dropped), JSON.stringify(dropped)).toBe(false);
    expect(cleanText(" a\n\tb \u0007 ")).toBe("a b");
    const image = await render({ ...CAPTION, title, width: 1200, height: 630 });
    expect(lightPixels(image, { x0: 64, y0: 130, x1: 1136, y1: 200 })).toBeGreaterThan(1000);
  });

  it("wraps a long title over at most three lines and ends it with an ellipsis", async () => {
    const title = `${"Reconstruction of a very long axon ".repeat(12)}END`;
    const svg = cardSvg({ ...CAPTION, title, width: 1200, height: 630 });
    const titleLines = [...svg.matchAll(/font-weight="bold">([^<]*)<\/text>/g)]
      .map((m) => m[1] ?? "")
      .filter((line) => !line.startsWith("Open in Neuroglancer"));
    expect(titleLines).toHaveLength(3);
    expect(titleLines[2]?.endsWith("…")).toBe(true);
    expect(svg).not.toContain("END");
    // A single word longer than a line is cut, not left to run off the card.
    const word = wrapText("x".repeat(200), 20, 3);
    expect(word).toHaveLength(3);
    expect(word.every((line) => line.length <= 33)).toBe(true);
    expect(word[2]?.endsWith("…")).toBe(true);
    expect(wrapText("short title", 20, 3)).toEqual(["short title"]);
    expect(wrapText("", 20, 3)).toEqual([]);

    const image = await render({ ...CAPTION, title, width: 1200, height: 630 });
    // Nothing is drawn past the right margin but the accent-free background.
    expect(lightPixels(image, { x0: 1150, y0: 0, x1: 1200, y1: 630 })).toBe(0);
  });

  it("gives an untitled view a title", () => {
    expect(cardSvg({ ...CAPTION, title: " \u0000 ", width: 1200, height: 630 })).toContain(
      "Untitled view",
    );
  });
});
