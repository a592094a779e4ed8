// Annotation layers through the HTTP API: POST /api/states and POST /api/links take them (typed
// in the OpenAPI document), a link made from a CSV holds exactly the rows given, and the limits
// answer with what to do.
import { readFileSync } from "node:fs";
import path from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../src/config.js";
import { MAX_ANNOTATION_ITEMS } from "../../src/domain/annotations.js";
import { validateState } from "../../src/domain/state-schema/index.js";
import { startTestApp, type TestApp } from "../helpers/app.js";

let t: TestApp;
beforeAll(async () => {
  // No load shedding: building 50,000 annotations holds the event loop for a second or more on
  // a busy machine, and the read that follows must not be answered 503 for it.
  t = await startTestApp({ maxEventLoopDelayMs: 0 });
});
afterAll(async () => {
  await t.close();
});

type Layer = { name: string; annotations?: Record<string, unknown>[] } & Record<string, unknown>;
const layerNamed = (state: { layers: Layer[] }, name: string) =>
  state.layers.find((l) => l.name === name);

/** A CSV as pandas writes it (index=False), with what each row must become. */
const ROWS = [
  {
    x: "1234.5",
    y: "0.001",
    z: "360",
    id: "18446744073709551615",
    text: 'a, quoted "one"',
    score: "0.1",
  },
  { x: "-7", y: "1e3", z: "0", id: "9007199254740993", text: "", score: "2" },
  { x: "3.14159265358979", y: "2", z: "80.25", id: "42", text: "plain", score: "-3.5" },
];
const CSV = `x,y,z,segment_id,description,score\n${ROWS.map(
  (r) => `${r.x},${r.y},${r.z},${r.id},"${r.text.replaceAll('"', '""')}",${r.score}`,
).join("\n")}\n`;

describe("annotations over HTTP", () => {
  it("POST /api/states builds annotation layers next to segment IDs", async () => {
    const res = await request(t.app.server)
      .post("/api/states")
      .send({
        dataset: "e11-prism",
        view: "overview",
        segments: ["42"],
        annotations: [{ name: "synapses", table: CSV, colorBy: "score" }],
      })
      .expect(200);
    expect(validateState(res.body.state)).toMatchObject({ valid: true, errors: [] });
    const layer = layerNamed(res.body.state, "synapses");
    expect(layer?.linkedSegmentationLayer).toEqual({ segments: "dense_seg" });
    expect(layer?.annotations).toHaveLength(3);
    expect(layerNamed(res.body.state, "dense_seg")?.segments).toEqual(["42"]);
  });

  it("a link made from a CSV opens with exactly the rows given, IDs above 2^53 exact", async () => {
    const created = await request(t.app.server)
      .post("/api/links")
      .send({ dataset: "e11-prism", view: "overview", annotations: [{ name: "rows", table: CSV }] })
      .expect(201);
    const stored = await request(t.app.server).get(`/api/links/${created.body.id}`).expect(200);
    // The raw JSON text, so a rounded ID cannot hide behind JSON.parse rounding it back.
    for (const row of ROWS) expect(stored.text).toContain(`"${row.id}"`);
    const annotations = layerNamed(stored.body, "rows")?.annotations;
    expect(annotations).toEqual(
      ROWS.map((row, i) => {
        const expected: Record<string, unknown> = {
          type: "point",
          id: String(i + 1),
          point: [Number(row.x), Number(row.y), Number(row.z)],
          segments: [row.id],
          props: [Number(row.score)],
        };
        if (row.text !== "") expected.description = row.text;
        return expected;
      }),
    );
  });

  it("names bad rows by row and column with a 400, and stores nothing", async () => {
    const res = await request(t.app.server)
      .post("/api/links")
      .send({
        dataset: "e11-prism",
        view: "overview",
        annotations: [{ name: "bad", table: "x,y,z\n1,2,3\n1,2,n/a\n1,2\n" }],
      })
      .expect(400);
    expect(res.body.issues).toEqual([
      { path: "annotations[0].table", message: "row 3, column z: 'n/a' is not a number" },
      {
        path: "annotations[0].table",
        message: "row 4: has 2 cells but the header has 3 columns (x, y, z)",
      },
      {
        path: "annotations[0].table",
        message: "2 of 3 rows are bad; fix them and send the table again",
      },
    ]);
  });

  it(`stores ${MAX_ANNOTATION_ITEMS} points in one link and refuses one more with what to do`, async () => {
    const rows = Array.from(
      { length: MAX_ANNOTATION_ITEMS },
      (_, i) =>
        `${i * 3.5},${(i % 640) * 3.5},360,${10n ** 18n + BigInt(i)},synapse ${i},${i % 97}`,
    );
    const table = `x,y,z,segment_id,description,score\n${rows.join("\n")}\n`;
    const created = await request(t.app.server)
      .post("/api/links")
      .send({ dataset: "e11-prism", view: "overview", annotations: [{ name: "many", table }] })
      .expect(201);
    const stored = await request(t.app.server).get(`/api/links/${created.body.id}`).expect(200);
    const annotations = layerNamed(stored.body, "many")?.annotations ?? [];
    expect(annotations).toHaveLength(MAX_ANNOTATION_ITEMS);
    expect(annotations.at(-1)?.segments).toEqual([String(10n ** 18n + 49_999n)]);

    const over = await request(t.app.server)
      .post("/api/links")
      .send({
        dataset: "e11-prism",
        view: "overview",
        annotations: [
          { name: "many", table },
          { name: "one-more", items: [{ point: [1, 2, 3] }] },
        ],
      })
      .expect(400);
    expect(over.body.issues).toEqual([
      {
        path: "annotations",
        message: expect.stringContaining(
          `a link holds at most ${MAX_ANNOTATION_ITEMS}. Split them`,
        ),
      },
    ]);
  });

  it("answers 413 with the limit's name for a body over MAX_STATE_BYTES", async () => {
    const small = await startTestApp({ maxStateBytes: 4096 });
    try {
      const items = Array.from({ length: 200 }, (_, i) => ({ point: [i, i, i] }));
      const res = await request(small.app.server)
        .post("/api/links")
        .send({ dataset: "e11-prism", view: "overview", annotations: [{ name: "a", items }] })
        .expect(413);
      expect(res.body.error).toMatch(/too large/);
    } finally {
      await small.close();
    }
  });

  it("types annotations in the OpenAPI document", async () => {
    const doc = (await request(t.app.server).get("/docs/json").expect(200)).body;
    const body = doc.paths["/api/states"].post.requestBody.content["application/json"].schema;
    const layer = body.properties.annotations.items;
    expect(layer.properties.type.enum).toEqual(["point", "line", "box", "ellipsoid"]);
    expect(layer.properties.unit.enum).toEqual(["nm", "um"]);
    expect(Object.keys(layer.properties.items.items.properties)).toEqual([
      "point",
      "pointA",
      "pointB",
      "center",
      "radii",
      "description",
      "segments",
      "props",
    ]);
    // POST /api/links documents its three forms as a oneOf; annotations belong to the preset one.
    const links = doc.paths["/api/links"].post.requestBody.content["application/json"].schema;
    const presetForm = links.oneOf.find((form: { required?: string[] }) =>
      form.required?.includes("dataset"),
    );
    expect(presetForm.properties.annotations.items.properties.table).toBeDefined();
  });

  it("accepts the README's example, and the validator accepts the state it stores", async () => {
    const readme = readFileSync(path.join(packageRoot, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### Annotations"));
    const body = /-d '(\{[\s\S]*?\})'\n/.exec(section)?.[1];
    expect(body).toBeDefined();
    const created = await request(t.app.server)
      .post("/api/links")
      .set("content-type", "application/json")
      .send(body ?? "")
      .expect(201);
    expect(created.body.warnings).toEqual([]);
    const stored = await request(t.app.server).get(`/api/links/${created.body.id}`).expect(200);
    expect(validateState(stored.body)).toMatchObject({ valid: true, errors: [], warnings: [] });
    expect(stored.body.layers.map((l: Layer) => l.name)).toEqual([
      "raw",
      "dense_seg",
      "synapses",
      "regions",
      "from-a-table",
    ]);
  });
});
