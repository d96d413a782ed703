import { MemoryStore } from "../../src/relay/mod.ts";
import { runContract } from "./_store_contract.ts";

Deno.test("MemoryStore keeps the store contract", async (t) => {
  await runContract(t, (options) =>
    Promise.resolve({
      store: new MemoryStore(options),
      close: () => Promise.resolve(),
    }));
});
