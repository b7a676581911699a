import { MemoryTokenStore } from "./memory_token_store.ts";
import { tokenStoreConformance } from "./_token_store_conformance.ts";

tokenStoreConformance(
  "MemoryTokenStore",
  (clock, logRetention) =>
    Promise.resolve({ store: new MemoryTokenStore({ clock, logRetention }) }),
);
