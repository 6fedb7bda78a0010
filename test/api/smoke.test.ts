import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.js';
import { client } from '../support/http.js';

let env: TestEnvironment;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  env = await createTestEnvironment();
  const running = await env.startApi();
  const key = await env.createKey('team_smoke');
  api = client(running.baseUrl, key.apiKey);
});
afterAll(() => env?.cleanup());

describe('add, check, delete', () => {
  it('when an entry is added and then deleted, then check answers onList false', async () => {
    const added = await api.post('/v1/dnc', { url: 'linkedin.com/in/Jane-Doe/' });
    expect(added.status).toBe(201);
    expect(added.body.data.url).toBe('https://linkedin.com/in/jane-doe');
    expect((await api.get('/v1/dnc/check?url=in/jane-doe')).body.data.onList).toBe(true);
    const deleted = await api.delete(`/v1/dnc/${added.body.data.$id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ error: null, data: { message: 'DNC entry deleted successfully' } });
    expect((await api.get('/v1/dnc/check?url=in/jane-doe')).body.data).toEqual({ onList: false, entry: null });
  });
});
