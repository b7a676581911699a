// PostgresTokenStore against what every TokenStore must do: grant records,
// the revocation operations, the change log's catch-up and pruning, and
// single-use records; `second` is another replica on the same schema.
import process from "node:process";
import { tokenStoreConformance } from "../src/stores/_token_store_conformance.ts";
import { PostgresStore } from "./mod.ts";
import { dropSchema, freshSchema } from "./_test_db.ts";

if (process.env.DATABASE_URL) {
  tokenStoreConformance("PostgresTokenStore", async (clock, logRetention) => {
    const schema = freshSchema();
    const open = () =>
      PostgresStore.connect(process.env.DATABASE_URL!, {
        schema,
        clock,
        logRetention,
        log: () => {},
      });
    const stores = [await open()];
    return {
      store: stores[0].tokens,
      second: async () => {
        stores.push(await open());
        return stores[1].tokens;
      },
      close: async () => {
        await Promise.all(stores.map((s) => s.close()));
        await dropSchema(schema);
      },
    };
  });
}
