// Presence counts distinct users, not sockets, and follows users as they come and go.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestClient } from '../helpers/client';
import { PAGE } from '../helpers/frames';
import { startTestServer, type TestServer } from '../helpers/server';

describe('presence', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(async () => {
    await t.close();
  });

  const viewer = async (who: keyof TestServer['tokens'], page = PAGE) => {
    const c = await TestClient.connect(t.url, t.tokens[who]);
    c.send({ type: 'subscribe', page });
    await c.next('snapshot');
    return c;
  };
  const count = (c: TestClient, n: number) =>
    c.next((f) => f.type === 'presence' && f.count === n).then((f) => f.type === 'presence' && f.page);

  it('counts one user with two sockets once, and drops a user who leaves', async () => {
    const alice1 = await viewer('alice');
    expect(await alice1.next('presence')).toEqual({ type: 'presence', page: PAGE, count: 1 });

    const alice2 = await viewer('alice');
    expect(await alice2.next('presence')).toMatchObject({ count: 1 });

    const bob = await viewer('bob');
    expect(await bob.next('presence')).toMatchObject({ count: 2 });
    expect(await count(alice1, 2)).toBe(PAGE);
    expect(await count(alice2, 2)).toBe(PAGE);

    // One of alice's sockets leaving does not change the count; bob leaving does.
    await alice2.close();
    bob.send({ type: 'unsubscribe', page: PAGE });
    expect(await count(alice1, 1)).toBe(PAGE);
    expect(
      alice1.received.filter((f) => f.type === 'presence').map((f) => f.type === 'presence' && f.count),
    ).toEqual([1, 2, 1]);

    // A closed socket counts as leaving too.
    const bob2 = await viewer('bob');
    await count(alice1, 2);
    await bob2.close();
    await count(alice1, 1);
    await Promise.all([alice1.close(), bob.close()]);
  });

  it('counts per page and per tenant', async () => {
    const alice = await viewer('alice');
    await alice.next('presence');
    const eve = await viewer('eve');
    expect(await eve.next('presence')).toMatchObject({ count: 1 });
    const bobElsewhere = await viewer('bob', 'https://example.com/elsewhere');
    expect(await bobElsewhere.next('presence')).toMatchObject({ count: 1 });
    // A later change on alice's page proves no count for eve or bob arrived before it.
    const admin = await viewer('admin');
    await count(alice, 2);
    expect(alice.received.filter((f) => f.type === 'presence').length).toBe(2);
    await Promise.all([alice.close(), eve.close(), bobElsewhere.close(), admin.close()]);
  });
});
