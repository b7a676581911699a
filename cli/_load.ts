// Loading a configuration for a command: validated, secrets opened when a
// password is at hand, every problem reported at once.
import { analyzeConfig, type ConfigAnalysis, problemsError } from "../src/config/load.ts";
import { CapabilitySet } from "../src/capabilities/capabilities.ts";
import type { CapabilitySetOptions } from "../src/capabilities/options.ts";
import { CommandError } from "./_io.ts";

/**
 * Analyzes `file`; encrypted values stay unchecked without a password.
 *
 * @throws {ConfigError} With every problem when the configuration is invalid.
 */
export async function analyzeFile(file: string, password?: string): Promise<ConfigAnalysis> {
  const analysis = await analyzeConfig(file, { password, allowMissingPassword: true });
  if (analysis.problems.length > 0) throw problemsError(analysis.problems, analysis.file);
  return analysis;
}

/** The configuration's capabilities, on its user file (which is read lazily). */
export function capabilitySet(analysis: ConfigAnalysis): CapabilitySet {
  const options = analysis.options?.capabilities as CapabilitySetOptions;
  try {
    return new CapabilitySet(options);
  } catch (err) {
    // The analysis checks what CapabilitySet checks; this is a safety net.
    if (err instanceof TypeError) throw new CommandError(`${analysis.file}: ${err.message}`);
    throw err;
  }
}
