// PostgresTokenStore against what every TokenStore must do with grant records.
// The change-log cases are off until the store keeps a log of its own (issue
// 17, part B): meanwhile it answers every read with its whole state.
import process from "node:process";
import { tokenStoreConformance } from "../src/stores/_token_store_conformance.ts";
import { PostgresStore } from "./mod.ts";
import { dropSchema, freshSchema } from "./_test_db.ts";

if (process.env.DATABASE_URL) {
  tokenStoreConformance("PostgresTokenStore", async (clock) => {
    const schema = freshSchema();
    const pg = await PostgresStore.connect(process.env.DATABASE_URL!, {
      schema,
      clock,
      log: () => {},
    });
    return {
      store: pg.tokens,
      close: async () => {
        await pg.close();
        await dropSchema(schema);
      },
    };
  }, { log: false });
}
