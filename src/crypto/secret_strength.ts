/**
 * A conservative estimate of how hard a secret key is to guess, in bits:
 * what an offline attacker who tries common words, repetitions and sequences
 * first would still have to search. It errs low: a person's sentence counts
 * as a few words from a list of two thousand, never as random letters.
 *
 * @module
 */

/** Fewer estimated bits than this and a secret key is refused. */
export const MIN_SECRET_BITS = 96;

/** The words people put in secrets first: guessed before any dictionary. */
const WEAK_WORDS = new Set([
  "password",
  "passwd",
  "secret",
  "change",
  "changeme",
  "admin",
  "letmein",
  "qwerty",
  "welcome",
  "default",
  "example",
  "test",
  "key",
  "oauth",
  "login",
  "token",
  "dragon",
  "monkey",
  "master",
  "iloveyou",
  "hunter",
]);
/** Bits of a word from the short list above. */
const WEAK_WORD_BITS = 4;
/** Bits of any other word-shaped run: one of the ~2,000 most common words. */
const WORD_BITS = 11;
/** Bits of a separator between words (a space, a dash…): next to nothing. */
const SEPARATOR_BITS = 1;
const SEPARATORS = " -_.:,;/+'!";
const KEYBOARD_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890"];

/** Why a secret is refused, or `undefined` when it is strong enough. */
export function secretWeakness(secret: string): string | undefined {
  const classes = kinds(secret);
  if (classes.size < 2) return "it uses a single kind of character";
  const bits = estimateBits(secret);
  if (bits < MIN_SECRET_BITS) {
    return `its strength is estimated at ${Math.floor(bits)} bits, under ${MIN_SECRET_BITS}`;
  }
  return undefined;
}

/** The estimated strength of `secret`, in bits. */
export function estimateBits(secret: string): number {
  const chars = [...secret];
  const unit = repeatedUnit(chars);
  if (unit < chars.length) {
    // The whole secret is one part said again: the part, and how many times.
    return estimateBits(chars.slice(0, unit).join("")) + Math.log2(chars.length / unit);
  }
  const pool = poolSize(kinds(secret));
  return Math.min(tokenEstimate(secret, pool), patternEstimate(chars, Math.log2(pool)));
}

/** Reads `secret` as words, numbers and characters (see `estimateBits`). */
function tokenEstimate(secret: string, pool: number): number {
  const tokens = secret.match(TOKENS) ?? [];
  // Read as words when most of it is word-shaped runs (prose, a passphrase),
  // else as random characters: random text has short pieces that look like
  // words, which must not make it weak.
  const inWords = tokens.filter((t) => t.length >= 3 && wordShaped(t))
    .reduce((n, t) => n + t.length, 0);
  // Capitals side by side are no prose either: random text has them.
  const prose = inWords >= 0.6 * secret.length && !/[A-Z]{2}/.test(secret);
  const seen = new Set<string>();
  let bits = 0;
  for (const token of tokens) {
    const key = token.toLowerCase();
    if (key.length >= 3 && seen.has(key)) {
      bits += 1; // a part said again
      continue;
    }
    seen.add(key);
    bits += tokenBits(token, pool, prose);
  }
  return bits;
}

/** Word-shaped letter runs, other letter runs, digit runs, single other characters. */
const TOKENS = /[A-Z]?[a-z]+|[A-Z]+|[0-9]+|[^A-Za-z0-9]/gu;

/** The 150 commonest letter pairs of English words. */
const COMMON_PAIRS = new Set(
  ("th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io le " +
    "ve co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur ca el ta la ns di fo ho pe ec " +
    "pr no ct us ac ot il tr ly nc et ut ss so rs un lo wa ge ie wh ee wi em ad ol rt po we na " +
    "ul ni ts mo ow pa im mi ai sh ir su id os iv ia am fi ci vi pl ig tu ev ld ry mp fe bl ab " +
    "gh ty op wo sa ay ex ke fr oo av ag if ap gr od bo sp rd do uc bu ei ov by rm ep tt oc fa " +
    "ef cu rn sc gi da yo cr cl du ga qu ue ff ba ey ls va um pp ua up lu go ht ru ug ds lt").split(
      " ",
    ),
);

/**
 * Whether a letter run reads like a word: lowercase or capitalized, and
 * most of its letter pairs common in English (random letters rarely are).
 */
function wordShaped(token: string): boolean {
  if (!/^[A-Z]?[a-z]+$/.test(token)) return false;
  const word = token.toLowerCase();
  let common = 0;
  for (let i = 1; i < word.length; i++) if (COMMON_PAIRS.has(word.slice(i - 1, i + 1))) common++;
  // Short runs are words more easily: they cost little when wrongly taken for one.
  if (word.length <= 4) return /[aeiouy]/.test(word) && common * 2 >= word.length - 1;
  return common / (word.length - 1) >= 0.8;
}

function tokenBits(token: string, pool: number, prose: boolean): number {
  const perChar = Math.log2(pool);
  const length = [...token].length;
  if (isSequence(token)) return perChar + Math.log2(length + 1);
  // In prose a number is a number; in random text a digit is any character.
  if (/^[0-9]+$/.test(token)) return length * (prose ? Math.log2(10) : perChar);
  if (/^[A-Za-z]+$/.test(token)) {
    const word = token.toLowerCase();
    if (WEAK_WORDS.has(word)) return WEAK_WORD_BITS;
    if (prose && wordShaped(token)) {
      return Math.min(WORD_BITS + (token === word ? 0 : 1), length * perChar);
    }
    return length * perChar;
  }
  return prose && SEPARATORS.includes(token) ? SEPARATOR_BITS : perChar;
}

/** Whether a run of two or more characters goes up or down one by one, or along a keyboard row. */
function isSequence(token: string): boolean {
  if (token.length < 3) return false;
  const lower = token.toLowerCase();
  const step = lower.charCodeAt(1) - lower.charCodeAt(0);
  let steady = step === 1 || step === -1 || step === 0;
  for (let i = 2; steady && i < lower.length; i++) {
    steady = lower.charCodeAt(i) - lower.charCodeAt(i - 1) === step;
  }
  if (steady) return true;
  return KEYBOARD_ROWS.some((row) =>
    row.includes(lower) || [...row].reverse().join("").includes(lower)
  );
}

/**
 * Reads `chars` as an attacker who tries patterns first would: runs of one
 * character, steady steps (`abc`, `987`), keyboard rows and blocks said
 * before each cost about one character and a length, wherever they sit and
 * however they are cut into words and numbers; the rest costs `perChar`
 * each. Characters taken every second, third or fourth place are read so too
 * (`a1a2a3…`: two sequences interleaved).
 */
function patternEstimate(chars: string[], perChar: number): number {
  let best = compressed(chars, perChar);
  for (let stride = 2; stride <= 4 && chars.length >= 6 * stride; stride++) {
    let bits = Math.log2(stride);
    for (let start = 0; start < stride; start++) {
      bits += compressed(chars.filter((_, i) => i % stride === start), perChar);
    }
    best = Math.min(best, bits);
  }
  return best;
}

/**
 * The shortest pattern taken as one: random text has three-character ones
 * (`cvB`, `mmm`) often enough that counting them would refuse random keys.
 */
const MIN_PATTERN = 4;

/** How far back a block said before is looked for: secrets are short, this bounds the work. */
const WINDOW = 256;

function compressed(chars: string[], perChar: number): number {
  const lower = chars.map((c) => c.toLowerCase());
  const code = (i: number) => chars[i]!.codePointAt(0)!;
  let bits = 0;
  for (let i = 0; i < chars.length;) {
    let length = 1;
    let cost = perChar;
    const consider = (n: number, c: number) => {
      if (n >= MIN_PATTERN && n * perChar - c > length * perChar - cost) [length, cost] = [n, c];
    };
    // A run of one character (step 0) or a steady step of one.
    if (i + 1 < chars.length) {
      const step = code(i + 1) - code(i);
      let n = 2;
      while (
        Math.abs(step) <= 1 && i + n < chars.length && code(i + n) - code(i + n - 1) === step
      ) n++;
      if (Math.abs(step) <= 1) consider(n, perChar + Math.log2(n) + (step === 0 ? 0 : 1));
    }
    for (const row of ROWS) {
      let n = 0;
      while (i + n < chars.length && row.includes(lower.slice(i, i + n + 1).join(""))) n++;
      consider(n, perChar + Math.log2(n + 1) + 1);
    }
    // A block said before (it may run on into itself, as "abcabcabc" does).
    for (let j = Math.max(0, i - WINDOW); j < i; j++) {
      let n = 0;
      while (i + n < chars.length && chars[j + n] === chars[i + n]) n++;
      consider(n, Math.log2(i + 1) + Math.log2(n + 1));
    }
    bits += cost;
    i += length;
  }
  return bits;
}

/** The keyboard rows, both ways. */
const ROWS = KEYBOARD_ROWS.flatMap((row) => [row, [...row].reverse().join("")]);

/** The length of the shortest part that the whole secret repeats (its length when none). */
function repeatedUnit(chars: string[]): number {
  for (let unit = 1; unit <= chars.length / 2; unit++) {
    if (chars.length % unit !== 0) continue;
    let repeats = true;
    for (let i = unit; repeats && i < chars.length; i++) repeats = chars[i] === chars[i - unit];
    if (repeats) return unit;
  }
  return chars.length;
}

type Kind = "lower" | "upper" | "digit" | "symbol";

function kinds(secret: string): Set<Kind> {
  const found = new Set<Kind>();
  for (const ch of secret) {
    found.add(
      /[a-z]/.test(ch)
        ? "lower"
        : /[A-Z]/.test(ch)
        ? "upper"
        : /[0-9]/.test(ch)
        ? "digit"
        : "symbol",
    );
  }
  return found;
}

function poolSize(found: Set<Kind>): number {
  const sizes: Record<Kind, number> = { lower: 26, upper: 26, digit: 10, symbol: 33 };
  let pool = 0;
  for (const kind of found) pool += sizes[kind];
  return pool;
}
