// Opens the configured name store (Redis, or the embedded SQLite file shared with the links) and
// exposes it as `app.nameStore`; closes it with the app. Routes go through the names service.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { createNameStore } from "../../names/create-name-store.js";
import type { NameStore } from "../../names/name-store.js";
import { storeTarget } from "./link-store.js";

declare module "fastify" {
  interface FastifyInstance {
    nameStore: NameStore;
  }
}

export default fp(
  async function nameStore(app: FastifyInstance) {
    const store = createNameStore(storeTarget(app));
    app.log.info({ store: store.kind }, "name store opened");
    app.decorate("nameStore", store);
    app.addHook("onClose", async () => {
      await store.close();
    });
  },
  // After the link store: on SQLite it creates the file and its schema first.
  { name: "name-store", dependencies: ["config", "redis", "link-store"] },
);
