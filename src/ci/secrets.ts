import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Database } from "../store/database.js";
import { invalid, notFound } from "../store/errors.js";
import { PogoError } from "../util/errors.js";

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Secret names are what `${NAME}` can refer to. */
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** MAX_SECRET_BYTES caps one value: enough for a key file or a certificate chain. */
export const MAX_SECRET_BYTES = 64 * 1024;

/** SecretKeyError means the encryption key for secrets is missing or malformed. */
export class SecretKeyError extends PogoError {
  constructor(message: string) {
    super("SECRET_KEY_INVALID", message);
  }
}

/**
 * Loads the key that encrypts secrets: POGO_SECRET_KEY (base64 of 32 bytes)
 * when set, otherwise the key file, created with 32 random bytes and mode
 * 0600 on first use. Servers sharing one PostgreSQL database must share the
 * key, through the variable or a copy of the file.
 */
export async function loadSecretKey(keyFile: string, fromEnv?: string): Promise<Buffer> {
  if (fromEnv !== undefined && fromEnv !== "") {
    const key = Buffer.from(fromEnv, "base64");
    if (key.length !== KEY_BYTES || key.toString("base64") !== fromEnv.trim()) {
      throw new SecretKeyError(
        `POGO_SECRET_KEY must be the base64 encoding of ${KEY_BYTES} bytes; generate one with \`openssl rand -base64 32\``,
      );
    }
    return key;
  }
  try {
    const key = await readFile(keyFile);
    if (key.length !== KEY_BYTES) {
      throw new SecretKeyError(
        `invalid secret key file ${keyFile}: it contains ${key.length} bytes instead of ${KEY_BYTES}; restore it from a backup`,
      );
    }
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await mkdir(dirname(keyFile), { recursive: true });
  const key = randomBytes(KEY_BYTES);
  try {
    await writeFile(keyFile, key, { mode: 0o600, flag: "wx" });
    return key;
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return readFile(keyFile);
    throw error;
  }
}

/** SecretInfo describes a stored secret without its value. */
export interface SecretInfo {
  name: string;
  createdAt: number;
  updatedAt: number;
}

/**
 * SecretStore keeps repository secrets encrypted with AES-256-GCM. Each
 * value has its own random nonce, and the repository id and name are
 * bound as additional data, so a ciphertext copied to another row fails to
 * decrypt instead of revealing its value there.
 */
export class SecretStore {
  constructor(
    private readonly db: Database,
    private readonly key: Buffer,
  ) {}

  async set(
    repositoryId: number,
    name: string,
    value: string,
    userId: number | null,
  ): Promise<{ created: boolean }> {
    checkSecretName(name);
    // The CLI rejects an empty value too: it would resolve to nothing and mask nothing.
    if (value === "") {
      throw invalid(
        "INVALID_SECRET_VALUE",
        `the value of ${name} is empty; give a non-empty value`,
      );
    }
    if (Buffer.byteLength(value) > MAX_SECRET_BYTES) {
      throw invalid("SECRET_TOO_LARGE", `secret values are limited to ${MAX_SECRET_BYTES} bytes`);
    }
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, nonce);
    cipher.setAAD(additionalData(repositoryId, name));
    const ciphertext = Buffer.concat([
      cipher.update(value, "utf8"),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    const now = Date.now();
    const existing = await this.db.query(
      "SELECT name FROM ci_secrets WHERE repository_id = $1 AND name = $2",
      [repositoryId, name],
    );
    await this.db.execute(
      `INSERT INTO ci_secrets (repository_id, name, nonce, ciphertext, created_at, updated_at, updated_by)
       VALUES ($1, $2, $3, $4, $5, $5, $6)
       ON CONFLICT (repository_id, name) DO UPDATE SET nonce = excluded.nonce, ciphertext = excluded.ciphertext,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [repositoryId, name, nonce, ciphertext, now, userId],
    );
    return { created: existing.length === 0 };
  }

  async list(repositoryId: number): Promise<SecretInfo[]> {
    const rows = await this.db.query<{ name: string; created_at: number; updated_at: number }>(
      "SELECT name, created_at, updated_at FROM ci_secrets WHERE repository_id = $1 ORDER BY name",
      [repositoryId],
    );
    return rows.map((row) => ({
      name: row.name,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }));
  }

  /** Returns one decrypted value; throws SECRET_NOT_FOUND when it is not set. */
  async get(repositoryId: number, name: string): Promise<string> {
    checkSecretName(name);
    const rows = await this.rows(repositoryId, name);
    const row = rows[0];
    if (!row) throw notFound("SECRET_NOT_FOUND", `secret ${name} is not set`);
    return this.decrypt(repositoryId, row);
  }

  /** Returns every secret of a repository decrypted, for a run. */
  async getAll(repositoryId: number): Promise<Map<string, string>> {
    const values = new Map<string, string>();
    for (const row of await this.rows(repositoryId))
      values.set(row.name, this.decrypt(repositoryId, row));
    return values;
  }

  async delete(repositoryId: number, name: string): Promise<void> {
    checkSecretName(name);
    const changed = await this.db.execute(
      "DELETE FROM ci_secrets WHERE repository_id = $1 AND name = $2",
      [repositoryId, name],
    );
    if (changed === 0) throw notFound("SECRET_NOT_FOUND", `secret ${name} is not set`);
  }

  private rows(repositoryId: number, name?: string) {
    return this.db.query<{
      name: string;
      nonce: Buffer | Uint8Array;
      ciphertext: Buffer | Uint8Array;
    }>(
      `SELECT name, nonce, ciphertext FROM ci_secrets WHERE repository_id = $1${name === undefined ? "" : " AND name = $2"}`,
      name === undefined ? [repositoryId] : [repositoryId, name],
    );
  }

  private decrypt(
    repositoryId: number,
    row: { name: string; nonce: Buffer | Uint8Array; ciphertext: Buffer | Uint8Array },
  ): string {
    const sealed = Buffer.from(row.ciphertext);
    const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(row.nonce));
    decipher.setAAD(additionalData(repositoryId, row.name));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]).toString("utf8");
    } catch {
      throw new SecretKeyError(
        `secret ${row.name} cannot be decrypted with this server's key; check POGO_SECRET_KEY or the key file`,
      );
    }
  }
}

/** Throws INVALID_SECRET_NAME unless `name` can be written as `${NAME}`. */
export function checkSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw invalid(
      "INVALID_SECRET_NAME",
      `invalid secret name ${JSON.stringify(name)}: use letters, digits and _, not starting with a digit`,
    );
  }
}

function additionalData(repositoryId: number, name: string): Buffer {
  return Buffer.from(`pogo-secret:${repositoryId}:${name}`, "utf8");
}
