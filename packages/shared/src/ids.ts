import { randomFillSync } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** The largest multiple of 62 that fits a byte: bytes at or above it are skipped, so that every character is equally likely. */
const UNBIASED_BYTE_LIMIT = Math.floor(256 / ALPHABET.length) * ALPHABET.length;

// Random bytes are drawn from the OS 4 KiB at a time and used one by one: crypto.randomInt per
// character cost about 1.2 µs per 20-character id (the drainer makes 25 ids per batch, profiled
// at 3% of its CPU), this about 0.3 µs.
const randomPool = Buffer.alloc(4096);
let randomPoolOffset = randomPool.length;

function randomByte(): number {
  if (randomPoolOffset === randomPool.length) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  return randomPool[randomPoolOffset++]!;
}

export function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    const byte = randomByte();
    if (byte < UNBIASED_BYTE_LIMIT) out += ALPHABET[byte % ALPHABET.length];
  }
  return out;
}

// 20 base-62 characters ≈ 119 bits: collisions are not a practical concern.
export const newEntryId = () => `dnc_${randomAlphanumeric(20)}`;
export const newJobId = () => `job_${randomAlphanumeric(20)}`;
// Every audit row gets its id here, set-based statements too (one id per row, passed in):
// one format. Rows written before that have `aud_` + 32 hex characters; auditIdPattern accepts both.
export const newAuditId = () => `aud_${randomAlphanumeric(20)}`;
export const newApiKeyId = () => `key_${randomAlphanumeric(16)}`;

export const entryIdPattern = /^dnc_[A-Za-z0-9]{1,64}$/;
export const jobIdPattern = /^job_[A-Za-z0-9]{1,64}$/;
export const auditIdPattern = /^aud_[A-Za-z0-9]{1,64}$/;
export const teamIdPattern = /^team_[A-Za-z0-9_-]{1,64}$/;
export const apiKeyIdPattern = /^key_[A-Za-z0-9]{1,64}$/;
