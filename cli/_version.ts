// The version `easy-oauth --version` prints: the package's, as deno.json and
// package.json say (main_test.ts checks that the three agree).

/** The package's version. */
export const VERSION = "0.1.0";
