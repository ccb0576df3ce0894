import { describe, expect, it } from 'vitest';
import { parseInviteLink, redeemInvite, type JoinDeps } from './join';

const SECRET = 'cci_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

const answering = (status: number, body: unknown) => {
  const posts: { url: string; body: string; headers: Record<string, string> }[] = [];
  const saved: [string, string][] = [];
  const deps: JoinDeps = {
    post: async (url, init) => {
      posts.push({ url, body: init.body, headers: init.headers });
      return { ok: status < 300, status, json: async () => body };
    },
    save: async (serverUrl, token) => {
      saved.push([serverUrl, token]);
      return {
        result: 'connected',
        user: { id: 'u', name: 'Dana' },
        tenant: { id: 't', name: 'Acme' },
        role: 'member',
      };
    },
  };
  return { deps, posts, saved };
};

describe('invite links', () => {
  it('takes the server and secret from a link, and nothing else', () => {
    expect(parseInviteLink(`https://chat.example.com/invite#${SECRET}`)).toEqual({
      origin: 'https://chat.example.com',
      serverUrl: 'wss://chat.example.com',
      secret: SECRET,
    });
    expect(parseInviteLink(`http://127.0.0.1:8080/invite#${SECRET}`)?.serverUrl).toBe('ws://127.0.0.1:8080');
    expect(parseInviteLink(`https://chat.example.com/other#${SECRET}`)).toBeNull();
    expect(parseInviteLink(`javascript:alert(1)//#${SECRET}`)).toBeNull();
    expect(parseInviteLink('https://chat.example.com/invite#nope')).toBeNull();
    expect(parseInviteLink('not a link')).toBeNull();
  });

  it('redeems with the link’s server and saves that server and the new token', async () => {
    const { deps, posts, saved } = answering(201, {
      token: 'cc_new',
      user: { id: 'u', name: 'Dana' },
      tenant: { id: 't', name: 'Acme' },
      role: 'member',
    });
    const reply = await redeemInvite(`https://chat.example.com/invite#${SECRET}`, ' Dana ', deps);
    expect(reply).toMatchObject({ ok: true, user: { name: 'Dana' }, tenant: { name: 'Acme' } });
    expect(JSON.stringify(reply)).not.toContain('cc_new');
    expect(posts[0]!.url).toBe('https://chat.example.com/invite/redeem');
    expect(JSON.parse(posts[0]!.body)).toEqual({ invite: SECRET, name: 'Dana' });
    expect(saved).toEqual([['wss://chat.example.com', 'cc_new']]);
  });

  it('tells refusals apart and saves nothing', async () => {
    for (const code of ['invite-expired', 'invite-used-up', 'invite-revoked', 'invite-unknown'] as const) {
      const { deps, saved } = answering(410, { error: 'x', code });
      expect(await redeemInvite(`https://c.example/invite#${SECRET}`, 'Dana', deps)).toEqual({
        ok: false,
        problem: code,
      });
      expect(saved).toEqual([]);
    }
    const limited = answering(429, { error: 'too many' });
    expect((await redeemInvite(`https://c.example/invite#${SECRET}`, 'D', limited.deps)).ok).toBe(false);
    expect(await redeemInvite(`http://c.example/invite#${SECRET}`, 'D', limited.deps)).toEqual({
      ok: false,
      problem: 'insecure',
    });
    expect(await redeemInvite(`https://c.example/invite#${SECRET}`, '  ', limited.deps)).toEqual({
      ok: false,
      problem: 'missing-name',
    });
  });
});
