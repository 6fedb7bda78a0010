// @ts-check
// The V8 heap flags the API and the worker run with, wherever they start: `pnpm start`,
// `pnpm start:api` / `start:worker` (package.json), the image (Dockerfile CMD, docker-compose's
// worker command) and the benches that measure the compiled processes. package.json, the
// Dockerfile and docker-compose cannot import this file and repeat the flags literally;
// test/build/node-flags.test.ts fails when any of them differs from this list.
//
// Why: with V8's defaults under Node 24, the young generation grows to 128 MB under load and the
// old generation is let grow to about three times what is live, so an API process sat at about
// 300 MB after 20,000 DELETEs with 30 MB live. `pnpm bench` measured these flags against the
// defaults (the README's "Memory" section has the figures):
//   --max-semi-space-size=8    caps the young generation at 3 × 8 MB; below 8 MB the extra
//                              scavenges cost noticeably more CPU per request;
//   --heap-growing-percent=10  lets the old generation grow 10% past what survived the last full
//                              collection before the next one, instead of up to 4×.
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=8', '--heap-growing-percent=10'];
