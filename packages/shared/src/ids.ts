import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomAlphanumeric(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
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
