// A database file that holds sealed refresh tokens or names people, made
// readable by the app's user only: created so, and made so when it existed.
import { chmodSync, closeSync, fchmodSync, openSync } from "node:fs";

/**
 * Creates `file` when missing and makes it, and the -wal and -shm files that
 * SQLite keeps beside it, 0600: a file that existed (copied in, touched, made
 * by an earlier version) keeps no group or world access. SQLite gives new
 * -wal and -shm files the database's mode.
 */
export function ownerOnly(file: string): void {
  const fd = openSync(file, "a", 0o600);
  try {
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
  for (const beside of [`${file}-wal`, `${file}-shm`]) {
    try {
      chmodSync(beside, 0o600);
    } catch (error) {
      if ((error as { code?: unknown }).code !== "ENOENT") throw error;
    }
  }
}
