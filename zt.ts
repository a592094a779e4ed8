import { parseTable } from "./src/domain/table.js";
import { itemsFromTable } from "./src/domain/annotation-items.js";
const rows = Array.from({ length: 50000 }, (_, i) => `${i * 3.5},${(i % 640) * 3.5},360,${10n ** 18n + BigInt(i)},synapse ${i},${i % 97}`);
const table = `x,y,z,segment_id,description,score\n${rows.join("\n")}\n`;
const best: Record<string, number> = {};
for (let k = 0; k < 6; k++) {
  let t = performance.now();
  const tb = parseTable(table); const a = performance.now() - t; t = performance.now();
  itemsFromTable(tb, { type: "point" }); const b = performance.now() - t;
  best.parse = Math.min(best.parse ?? 1e9, a); best.items = Math.min(best.items ?? 1e9, b);
}
console.log(best);
