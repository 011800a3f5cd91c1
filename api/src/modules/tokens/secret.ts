// API token secrets: "sp_" + 256 random bits. Only a SHA-256 of the secret is stored; a fast
// hash is right here because the secret has full entropy (unlike a password).
import { createHash, randomBytes } from "node:crypto";

export const API_TOKEN_PREFIX = "sp_";

export function newApiTokenSecret(): string {
  return API_TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

export function hashApiTokenSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}
