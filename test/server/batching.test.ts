// Batching changes how events travel, never what a client ends up with: the same writes reach
// readers as the same state with batching on and off, in seq order inside and across batches.
import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  fromSnapshot,
  type DiscussionEventT,
  type DiscussionT,
  type PageState,
  type WriteFrameT,
} from '../../lib/protocol';
import { MemoryBus } from '../../server/bus/memory';
import { commitWrite } from '../../server/ops';
import { TestClient } from '../helpers/client';
import { addComment, createChat, deleteChat, deleteComment, editComment, PAGE } from '../helpers/frames';
import { startTestServer } from '../helpers/server';

/** The same writes for every run: fixed ids, so states compare across servers. */
function scenarioWrites(): WriteFrameT[] {
  const writes: WriteFrameT[] = [];
  for (let c = 1; c <= 3; c++) {
    writes.push(createChat({ chatId: `chat-000${c}`, commentId: `cmt-000${c}-0`, text: `Topic ${c}` }));
    for (let r = 1; r <= 4; r++) {
      writes.push(addComment(`chat-000${c}`, { commentId: `cmt-000${c}-${r}`, text: `Reply ${c}.${r}` }));
    }
  }
  writes.push(editComment('chat-0001', 'cmt-0001-2', 'Reply 1.2, edited'));
  writes.push(deleteComment('chat-0002', 'cmt-0002-3'));
  writes.push(deleteChat('chat-0003'));
  writes.push(addComment('chat-0002', { commentId: 'cmt-0002-9', text: 'Last word' }));
  return writes;
}

/** Discussions without the times the server stamped, which differ between runs. */
function timeless(chats: DiscussionT[]): unknown {
  return chats.map((chat) => ({
    ...chat,
    comments: chat.comments.map(({ at: _at, editedAt: _editedAt, ...rest }) => rest),
  }));
}

interface Reader {
  client: TestClient;
  /** Raw text frames as they came off the socket. */
  raw: string[];
}

async function run(flushWindowMs: number) {
  const bus = new MemoryBus();
  const t = await startTestServer({ flushWindowMs }, { bus });
  try {
    const readers: Reader[] = [];
    for (const name of ['alice', 'bob', 'admin'] as const) {
      const client = await TestClient.connect(t.url, t.tokens[name]);
      const reader: Reader = { client, raw: [] };
      client.ws.on('message', (data) => reader.raw.push(data.toString()));
      client.send({ type: 'subscribe', page: PAGE });
      await client.next('snapshot');
      readers.push(reader);
    }
    for (const r of readers) await r.client.next((f) => f.type === 'presence' && f.count === 3);

    const writes = scenarioWrites();
    const frames: string[] = [];
    for (const write of writes) {
      const result = await commitWrite(t.server.store, t.tenants.a.id, write, {
        user: { id: 'usr-fixed-alice', name: 'Alice' },
        role: 'member',
      });
      if (result.status !== 'applied') throw new Error(`write not applied: ${JSON.stringify(result)}`);
      frames.push(JSON.stringify(result.event));
    }
    // Published in two bursts within one tick each, as a busy bus delivers them: the first event of
    // a burst may go out alone, the rest wait for the window's end.
    const room = { tenantId: t.tenants.a.id, page: PAGE };
    const half = 8;
    for (const frame of frames.slice(0, half)) void bus.publish(room, frame);
    for (const r of readers)
      await r.client.next((f) => 'seq' in f && f.type !== 'snapshot' && f.seq === half);
    for (const frame of frames.slice(half)) void bus.publish(room, frame);
    for (const r of readers) {
      await r.client.next((f) => 'seq' in f && f.type !== 'snapshot' && f.seq === frames.length);
    }

    return {
      total: frames.length,
      readers: readers.map((r) => {
        let state: PageState | null = null;
        const seqs: number[] = [];
        for (const f of r.client.received) {
          if (f.type === 'snapshot') state = fromSnapshot(f);
          if (
            f.type === 'new-text-chat' ||
            f.type === 'updated-text-chat' ||
            f.type === 'deleted-text-chat'
          ) {
            seqs.push(f.seq);
            expect(applyEvent(state!, f as DiscussionEventT)).toBe('applied');
          }
        }
        const rawTypes = r.raw.map((text) => (JSON.parse(text) as { type: string }).type);
        return { state: timeless(state!.discussions), seq: state!.seq, seqs, rawTypes, raw: r.raw };
      }),
    };
  } finally {
    await t.close();
    await bus.close();
  }
}

describe('batching', () => {
  it('leaves every reader with the same state as without batching, in seq order across batches', async () => {
    const plain = await run(0);
    const batched = await run(50);
    const order = Array.from({ length: plain.total }, (_, i) => i + 1);

    for (const reader of [...plain.readers, ...batched.readers]) {
      expect(reader.seqs).toEqual(order);
      expect(reader.seq).toBe(plain.total);
      expect(reader.state).toEqual(plain.readers[0]!.state);
    }
    expect((plain.readers[0]!.state as unknown[]).length).toBe(2);
    for (const reader of plain.readers) expect(reader.rawTypes).not.toContain('batch');

    for (const reader of batched.readers) {
      // Each burst is published within one tick: at most its first event finds the socket idle,
      // the others go out together when the window ends.
      const batches = reader.raw
        .filter((text) => text.startsWith('{"type":"batch"'))
        .map((text) => (JSON.parse(text) as { events: { seq: number }[] }).events.map((e) => e.seq));
      expect(batches.length).toBeGreaterThanOrEqual(2);
      expect(batches.flat().length).toBeGreaterThanOrEqual(plain.total - 2);
      for (const seqs of batches) expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
  });
});
