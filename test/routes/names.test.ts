// Named links over real HTTP, once on the embedded store and once on a real redis-server:
// create, move, conditional moves, tokens, concurrent moves, pages and embeds that follow a name
// while pinned versions do not, restarts, rate limits, and tokens kept out of the logs.
import { Writable } from "node:stream";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { makeConfig } from "../../src/config.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import {
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from "../helpers/redis-server.js";

const hasRedis = redisServerAvailable();
const SOURCE = "precomputed://s3://e11bio-prism/ls/images/precomputed/dense_seg";

/** A state of its own for each segment ID, so each makes a distinct short link. */
function stateWith(segment: string) {
  return { layers: [{ type: "segmentation", name: "seg", source: SOURCE, segments: [segment] }] };
}

let counter = 0;
/** A fresh name per test (suites share one store). */
function freshName(): string {
  counter += 1;
  return `lab-cells-${process.pid}-${counter}`;
}

async function newLink(server: TestApp["app"]["server"], segment: string, title?: string) {
  const res = await request(server)
    .post("/api/links")
    .send({ state: stateWith(segment), ...(title ? { title } : {}) });
  if (res.status !== 201 && res.status !== 200) throw new Error(`link: ${res.status} ${res.text}`);
  return res.body as { id: string; shortUrl: string; jsonUrl: string; viewerUrl: string };
}

type StoreSetup = {
  name: string;
  skip: boolean;
  start(): Promise<{ overrides: object; restart(): Promise<void>; stop(): Promise<void> }>;
};
const stores: StoreSetup[] = [
  {
    name: "embedded SQLite store",
    skip: false,
    start: async () => ({ overrides: {}, restart: async () => {}, stop: async () => {} }),
  },
  {
    name: "Redis store",
    skip: !hasRedis,
    async start() {
      const redis: RedisServer = await startRedisServer();
      return {
        overrides: { redisUrl: redis.url },
        restart: () => redis.restart("SIGKILL"),
        stop: () => redis.dispose(),
      };
    },
  },
];

for (const setup of stores) {
  describe.skipIf(setup.skip)(`named links on the ${setup.name}`, () => {
    let t: TestApp;
    let store: Awaited<ReturnType<StoreSetup["start"]>>;
    const http = () => request(t.app.server);

    beforeAll(async () => {
      store = await setup.start();
      t = await startTestApp(store.overrides);
    });
    afterAll(async () => {
      await t.close();
      await store.stop();
    });

    async function createName(name: string, link: string, note?: string) {
      const res = await http().post("/api/names").send({ name, link, note }).expect(201);
      return res.body as { token: string; current: { version: number; linkId: string } };
    }

    it("creates a name (201) with its URLs and an edit token shown once", async () => {
      const link = await newLink(t.app.server, "101", "CA3 cells");
      const name = freshName();
      const res = await http().post("/api/names").send({ name, link: link.id }).expect(201);
      expect(res.headers["cache-control"]).toBe("no-store");
      expect(res.headers.etag).toBe('"1"');
      expect(res.body).toMatchObject({
        name,
        url: `http://ngl.test/n/${name}`,
        embedUrl: `http://ngl.test/embed/n/${name}`,
        apiUrl: `http://ngl.test/api/names/${name}`,
        stateUrl: `http://ngl.test/api/names/${name}/state`,
        current: {
          version: 1,
          linkId: link.id,
          note: null,
          url: `http://ngl.test/n/${name}/1`,
          shortUrl: link.shortUrl,
        },
      });
      expect(res.body.token).toMatch(/^ngn_[A-Za-z0-9_-]{43}$/);
      const read = await http().get(`/api/names/${name}`).expect(200);
      expect(read.body.token).toBeUndefined();
      expect(JSON.stringify(read.body)).not.toContain(res.body.token);
      expect(read.body.history).toEqual([res.body.current]);
    });

    it("is first come first served: an existing name answers 409", async () => {
      const link = await newLink(t.app.server, "102");
      const name = freshName();
      await createName(name, link.id);
      const again = await http().post("/api/names").send({ name, link: link.id }).expect(409);
      expect(again.body.error).toMatch(/taken/);
    });

    it("refuses bad names and links with what to fix", async () => {
      const link = await newLink(t.app.server, "103");
      for (const [name, message] of [
        ["ab", /3 to 64/],
        ["x".repeat(65), /3 to 64/],
        ["CA3-Proofread", /lowercase/],
        ["ca3--cells", /single hyphens/],
        ["-ca3", /lowercase/],
        ["gallery", /reserved/],
        ["embed", /reserved/],
      ] as const) {
        const res = await http().post("/api/names").send({ name, link: link.id }).expect(400);
        expect(res.body.issues[0]).toMatchObject({
          path: "name",
          message: expect.stringMatching(message),
        });
      }
      for (const [ref, message] of [
        ["AAAAAAAAAAAAAAAA", /no link/],
        ["https://example.org/s/AAAAAAAAAAAAAAAA", /link of http:\/\/ngl\.test/],
        ["http://ngl.test/n/no-such-name-here", /no name or version/],
      ] as const) {
        const res = await http()
          .post("/api/names")
          .send({ name: freshName(), link: ref })
          .expect(400);
        expect(res.body.issues[0]).toMatchObject({
          path: "link",
          message: expect.stringMatching(message),
        });
      }
      const missing = await http().post("/api/names").send({ name: freshName() }).expect(400);
      expect(missing.body.issues[0].path).toBe("link");
    });

    it("takes any link of this service: short, embed, viewer URLs and other names", async () => {
      const link = await newLink(t.app.server, "104");
      const first = freshName();
      await createName(first, link.shortUrl);
      for (const ref of [
        `http://ngl.test/embed/${link.id}`,
        link.viewerUrl,
        `http://ngl.test/n/${first}`,
        `http://ngl.test/n/${first}/1`,
      ]) {
        const made = await createName(freshName(), ref);
        expect(made.current.linkId).toBe(link.id);
      }
    });

    it("moves a name with its token, as a new version with a note", async () => {
      const [a, b] = [await newLink(t.app.server, "201"), await newLink(t.app.server, "202")];
      const name = freshName();
      const { token } = await createName(name, a.id, "first cut");
      const moved = await http()
        .put(`/api/names/${name}`)
        .set("authorization", `Bearer ${token}`)
        .send({ link: b.shortUrl, note: "fixed merge in 123" })
        .expect(200);
      expect(moved.headers.etag).toBe('"2"');
      expect(moved.body.current).toMatchObject({
        version: 2,
        linkId: b.id,
        note: "fixed merge in 123",
      });
      const read = await http().get(`/api/names/${name}`).expect(200);
      expect(read.headers.etag).toBe('"2"');
      expect(
        read.body.history.map((v: { version: number; linkId: string; note: string | null }) => [
          v.version,
          v.linkId,
          v.note,
        ]),
      ).toEqual([
        [1, a.id, "first cut"],
        [2, b.id, "fixed merge in 123"],
      ]);
      expect(read.body.current.version).toBe(2);
    });

    it("moves conditionally with If-Match and answers 412 on a stale version", async () => {
      const links = [
        await newLink(t.app.server, "301"),
        await newLink(t.app.server, "302"),
        await newLink(t.app.server, "303"),
      ];
      const name = freshName();
      const { token } = await createName(name, links[0]?.id ?? "");
      const auth = `Bearer ${token}`;
      await http()
        .put(`/api/names/${name}`)
        .set({ authorization: auth, "if-match": '"1"' })
        .send({ link: links[1]?.id })
        .expect(200);
      // A second editor still looking at version 1 cannot silently overwrite the move.
      const stale = await http()
        .put(`/api/names/${name}`)
        .set({ authorization: auth, "if-match": '"1"' })
        .send({ link: links[2]?.id })
        .expect(412);
      expect(stale.body).toMatchObject({
        currentVersion: 2,
        error: expect.stringMatching(/version 2/),
      });
      expect(stale.headers.etag).toBe('"2"');
      const read = await http().get(`/api/names/${name}`).expect(200);
      expect(read.body.history).toHaveLength(2);
      await http()
        .put(`/api/names/${name}`)
        .set({ authorization: auth, "if-match": read.headers.etag })
        .send({ link: links[2]?.id })
        .expect(200);
      const bad = await http()
        .put(`/api/names/${name}`)
        .set({ authorization: auth, "if-match": "yesterday" })
        .send({ link: links[2]?.id })
        .expect(400);
      expect(bad.body.issues[0].path).toBe("headers.if-match");
    });

    it("answers 401 without a token, 403 with a wrong one, 404 for unknown names", async () => {
      const [a, b] = [await newLink(t.app.server, "401"), await newLink(t.app.server, "402")];
      const name = freshName();
      const { token } = await createName(name, a.id);
      const none = await http().put(`/api/names/${name}`).send({ link: b.id }).expect(401);
      expect(none.headers["www-authenticate"]).toMatch(/^Bearer/);
      await http()
        .put(`/api/names/${name}`)
        .set("authorization", `Basic ${Buffer.from(`x:${token}`).toString("base64")}`)
        .send({ link: b.id })
        .expect(401);
      const wrong = await http()
        .put(`/api/names/${name}`)
        .set("authorization", `Bearer ${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`)
        .send({ link: b.id })
        .expect(403);
      expect(wrong.body.error).toMatch(/reset-token/);
      // Another name's token is no better.
      const other = await createName(freshName(), a.id);
      await http()
        .put(`/api/names/${name}`)
        .set("authorization", `Bearer ${other.token}`)
        .send({ link: b.id })
        .expect(403);
      await http()
        .put("/api/names/no-such-name-here")
        .set("authorization", `Bearer ${token}`)
        .send({ link: b.id })
        .expect(404);
      const read = await http().get(`/api/names/${name}`).expect(200);
      expect(read.body.history).toHaveLength(1);
    });

    it("keeps a gapless history through 50 concurrent moves of one name", async () => {
      const name = freshName();
      const first = await newLink(t.app.server, "500");
      const { token } = await createName(name, first.id);
      const targets = [];
      for (let i = 0; i < 50; i++) targets.push(await newLink(t.app.server, String(501 + i)));
      const answers = await Promise.all(
        targets.map((link, i) =>
          http()
            .put(`/api/names/${name}`)
            .set("authorization", `Bearer ${token}`)
            .send({ link: link.id, note: `move ${i}` }),
        ),
      );
      expect(answers.map((res) => res.status)).toEqual(answers.map(() => 200));
      const versions = answers.map((res) => res.body.current.version as number);
      expect(versions.toSorted((x, y) => x - y)).toEqual(
        Array.from({ length: 50 }, (_, i) => i + 2),
      );
      const read = await http().get(`/api/names/${name}`).expect(200);
      const history = read.body.history as { version: number; linkId: string; note: string }[];
      expect(history.map((v) => v.version)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
      expect(
        history
          .slice(1)
          .map((v) => v.linkId)
          .toSorted(),
      ).toEqual(targets.map((link) => link.id).toSorted());
      for (const res of answers)
        expect(history[res.body.current.version - 1]).toEqual(res.body.current);
    });

    it("embeds and opens follow a name's moves while /n/:name/:version does not", async () => {
      const [a, b] = [
        await newLink(t.app.server, "601", "before"),
        await newLink(t.app.server, "602", "after"),
      ];
      const name = freshName();
      const { token } = await createName(name, a.id);
      const page = (path: string) => http().get(path).set("accept", "text/html").expect(200);

      const embedBefore = await page(`/embed/n/${name}?autoload=1`);
      expect(embedBefore.text).toContain(a.jsonUrl);
      expect(embedBefore.text).toContain(`http://ngl.test/n/${name}`); // "open full viewer"
      expect((await page(`/n/${name}`)).text).toContain("<title>before</title>");
      // Any client but a JSON one gets the page, with the name's preview image; JSON clients
      // get the current version's state.
      const plain = await http().get(`/n/${name}`).expect(200);
      expect(plain.headers.location).toBeUndefined();
      expect(plain.text).toContain(
        `<meta property="og:image" content="http://ngl.test/n/${name}/preview.png" />`,
      );
      const json = () => http().get(`/n/${name}`).set("accept", "application/json").expect(200);
      expect((await json()).body).toEqual(stateWith("601"));

      await http()
        .put(`/api/names/${name}`)
        .set("authorization", `Bearer ${token}`)
        .send({ link: b.id })
        .expect(200);

      const embedAfter = await page(`/embed/n/${name}?autoload=1`);
      expect(embedAfter.text).toContain(b.jsonUrl);
      expect(embedAfter.text).not.toContain(a.jsonUrl);
      expect(embedAfter.headers["cache-control"]).toBe("no-cache");
      const current = await page(`/n/${name}`);
      expect(current.text).toContain(b.jsonUrl);
      expect(current.text).toContain(`<link rel="canonical" href="http://ngl.test/n/${name}" />`);
      expect((await json()).body).toEqual(stateWith("602"));

      const pinned = await page(`/n/${name}/1`);
      expect(pinned.text).toContain(a.jsonUrl);
      expect(pinned.text).toContain("<title>before (version 1)</title>");
      expect(pinned.text).toContain(
        `<meta name="twitter:image" content="http://ngl.test/n/${name}/1/preview.png" />`,
      );
      const pinnedJson = await http()
        .get(`/embed/n/${name}/1`)
        .set("accept", "application/json")
        .expect(200);
      expect(pinnedJson.body).toEqual(stateWith("601"));
      expect((await page(`/embed/n/${name}/1?autoload=1`)).text).toContain(a.jsonUrl);
      expect((await page(`/n/${name}/2`)).text).toContain(b.jsonUrl);

      const state = await http().get(`/api/names/${name}/state`).expect(200);
      expect(state.headers["access-control-allow-origin"]).toBe("*");
      expect(state.body).toEqual(stateWith("602"));

      await http().get(`/n/${name}/3`).set("accept", "text/html").expect(404);
      await http().get(`/n/${name}/0`).expect(404);
      await http().get(`/n/${name}/x`).expect(404);
      const unknown = await http()
        .get("/n/no-such-name-here")
        .set("accept", "text/html")
        .expect(404);
      expect(unknown.text).toContain("Name not found");
      await http().get("/embed/n/ABC").expect(404);
      const missing = await http()
        .get("/n/no-such-name-here")
        .set("accept", "application/json")
        .expect(404);
      expect(missing.body.error).toContain('no name "no-such-name-here"');
      await http().get("/api/names/no-such-name-here").expect(404);
    });

    it("offers snippets that embed the name, not one snapshot", async () => {
      const link = await newLink(t.app.server, "701", "Proofread CA3");
      const name = freshName();
      await createName(name, link.id);
      const res = await http().get(`/api/names/${name}/snippets`).expect(200);
      const byId = new Map(
        (res.body.snippets as { id: string; text: string }[]).map((s) => [s.id, s.text]),
      );
      expect(byId.get("html")).toContain(`src="http://ngl.test/embed/n/${name}"`);
      expect(byId.get("mediawikiLink")).toBe(`[http://ngl.test/n/${name} Proofread CA3]`);
      expect(byId.get("stateUrl")).toBe(`http://ngl.test/api/names/${name}/state`);
      expect(byId.get("image")).toBe(
        `[![Proofread CA3](http://ngl.test/n/${name}/preview.png)](http://ngl.test/n/${name})`,
      );
      expect(res.text).not.toContain(link.id);
    });

    it("answers oEmbed for a name with an iframe that follows it, and for a pinned version", async () => {
      const link = await newLink(t.app.server, "711", "CA3 via oEmbed");
      const name = freshName();
      await createName(name, link.id);
      for (const [url, embed] of [
        [`http://ngl.test/n/${name}`, `http://ngl.test/embed/n/${name}`],
        [`http://ngl.test/embed/n/${name}`, `http://ngl.test/embed/n/${name}`],
        [`http://ngl.test/n/${name}/1`, `http://ngl.test/embed/n/${name}/1`],
      ]) {
        const res = await http().get("/oembed").query({ url, format: "json" }).expect(200);
        expect(res.body).toMatchObject({ type: "rich", title: "CA3 via oEmbed" });
        expect(res.body.html).toContain(`src="${embed}"`);
      }
      await http()
        .get("/oembed")
        .query({ url: `http://ngl.test/n/${name}/2` })
        .expect(404);
      await http().get("/oembed").query({ url: "http://ngl.test/n/no-such-name-here" }).expect(404);
      // The page of a name announces its oEmbed endpoint.
      const page = await http().get(`/n/${name}`).set("accept", "text/html").expect(200);
      expect(page.text).toContain(
        `/oembed?format=json&amp;url=${encodeURIComponent(`http://ngl.test/n/${name}`)}`,
      );
    });

    it("keeps names and their histories across a restart of the service and the store", async () => {
      const [a, b] = [await newLink(t.app.server, "801"), await newLink(t.app.server, "802")];
      const name = freshName();
      const { token } = await createName(name, a.id);
      await http()
        .put(`/api/names/${name}`)
        .set("authorization", `Bearer ${token}`)
        .send({ link: b.id, note: "durable" })
        .expect(200);
      const before = (await http().get(`/api/names/${name}`).expect(200)).body;

      await t.app.close();
      await store.restart(); // Redis: kill -9, then reload from the AOF
      const app = await buildApp(t.config, { logger: false });
      await app.ready();
      t = { ...t, app };

      const after = await eventuallyOk(() => http().get(`/api/names/${name}`));
      expect(after.body).toEqual(before);
      await http()
        .put(`/api/names/${name}`)
        .set({ authorization: `Bearer ${token}`, "if-match": '"2"' })
        .send({ link: a.id })
        .expect(200);
    });
  });
}

/** Retries a request until it answers 200 (a fresh Redis client connects in the background). */
async function eventuallyOk(send: () => PromiseLike<request.Response>) {
  for (let attempt = 0; ; attempt++) {
    const res = await send();
    if (res.status === 200 || attempt >= 50) return res;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("named links: limits, secrecy and timing", () => {
  it("counts creating and moving names against the one write limit of link creation", async () => {
    const t = await startTestApp({ rateLimitMax: 4 });
    try {
      const link = await newLink(t.app.server, "901"); // 1 of 4
      const create = () =>
        request(t.app.server).post("/api/names").send({ name: freshName(), link: link.id });
      const first = await create(); // 2 of 4
      expect(first.status).toBe(201);
      const move = () =>
        request(t.app.server)
          .put(`/api/names/${first.body.name}`)
          .set("authorization", `Bearer ${first.body.token}`)
          .send({ link: link.id });
      expect((await move()).status).toBe(200); // 3 of 4
      expect((await create()).status).toBe(201); // 4 of 4
      const limited = await move();
      expect(limited.status).toBe(429);
      expect(limited.body.error).toMatch(/try again/);
      expect((await create()).status).toBe(429);
      await request(t.app.server)
        .post("/api/links")
        .send({ state: stateWith("902") })
        .expect(429);
      // Reads are not limited.
      for (let i = 0; i < 3; i++)
        await request(t.app.server).get(`/api/names/${first.body.name}`).expect(200);
    } finally {
      await t.close();
    }
  });

  it("never writes an edit token to the logs, even at trace level", async () => {
    let logs = "";
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs += chunk.toString();
        done();
      },
    });
    const t = await startTestApp();
    await t.app.close();
    const app = await buildApp(makeConfig({ ...t.config, logLevel: "trace" }), {
      logger: { level: "trace", stream: sink },
    });
    try {
      await app.ready();
      const link = await newLink(app.server, "902");
      const name = freshName();
      const created = await request(app.server).post("/api/names").send({ name, link: link.id });
      const { token } = created.body as { token: string };
      expect(token).toMatch(/^ngn_/);
      for (const auth of [`Bearer ${token}`, `Bearer ${token}x`]) {
        await request(app.server)
          .put(`/api/names/${name}`)
          .set("authorization", auth)
          .send({ link: link.id });
      }
      await request(app.server)
        .put(`/api/names/${name}`)
        .set("authorization", `Bearer ${token}`)
        .send({ link: "not a link" });
      expect(logs).toContain(`/api/names/${name}`); // the requests were logged...
      expect(logs).not.toContain(token.slice(4)); // ...without the token
    } finally {
      await app.close();
      await t.close();
    }
  });

  it("takes as long to refuse a nearly right token as a wholly wrong one (beyond noise)", async () => {
    const t = await startTestApp();
    try {
      const link = await newLink(t.app.server, "903");
      const name = freshName();
      const created = await t.app.inject({
        method: "POST",
        url: "/api/names",
        payload: { name, link: link.id },
      });
      const { token } = created.json() as { token: string };
      // Differs only in the last character, vs differs everywhere: a byte-by-byte comparison
      // of tokens would refuse the second sooner.
      const nearly = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
      const wholly = `ngn_${"Z".repeat(token.length - 4)}`;
      const refuse = async (candidate: string) => {
        const started = process.hrtime.bigint();
        const res = await t.app.inject({
          method: "PUT",
          url: `/api/names/${name}`,
          headers: { authorization: `Bearer ${candidate}` },
          payload: { link: link.id },
        });
        const elapsed = Number(process.hrtime.bigint() - started);
        expect(res.statusCode).toBe(403);
        return elapsed;
      };
      for (let i = 0; i < 50; i++) await refuse(i % 2 ? nearly : wholly); // warm up
      const samples: Record<"nearly" | "wholly", number[]> = { nearly: [], wholly: [] };
      // Interleaved, so a busy machine slows both kinds alike.
      for (let i = 0; i < 400; i++) {
        const kind = i % 2 ? "nearly" : "wholly";
        samples[kind].push(await refuse(kind === "nearly" ? nearly : wholly));
      }
      const stats = (values: number[]) => {
        const sorted = values.toSorted((x, y) => x - y);
        const at = (q: number) => sorted[Math.floor(q * (sorted.length - 1))] ?? 0;
        return { median: at(0.5), iqr: at(0.75) - at(0.25) };
      };
      const a = stats(samples.nearly);
      const b = stats(samples.wholly);
      // The medians differ by no more than the spread of either kind: noise, not a signal.
      expect(Math.abs(a.median - b.median)).toBeLessThanOrEqual(Math.max(a.iqr, b.iqr));
    } finally {
      await t.close();
    }
  });
});
