// Wire bytes of every frame type of our protocol, taken from a scripted session of two real
// clients against our server (payload = the JSON text; wire = payload + WebSocket frame header,
// + 4 mask bytes for client frames). Not load: it runs in the coordinator.
import WebSocket from 'ws';
import { randomUUID } from 'node:crypto';
import { anchorSelectors, benchSecret, entityId, hello, TYPICAL_PAGE } from './payload';

export interface FrameSize {
  payload: number;
  wire: number;
}

export function wireBytes(payload: number, fromClient: boolean): number {
  const header = payload <= 125 ? 2 : payload <= 0xffff ? 4 : 10;
  return payload + header + (fromClient ? 4 : 0);
}

interface Peer {
  socket: WebSocket;
  inbox: { type: string; text: string }[];
  waiters: (() => void)[];
}

async function open(port: number, seen: (type: string, text: string) => void): Promise<Peer> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  const peer: Peer = { socket, inbox: [], waiters: [] };
  socket.on('message', (data: Buffer) => {
    const text = data.toString('utf8');
    const frame = JSON.parse(text) as { type: string; events?: { type: string }[] };
    seen(frame.type, text);
    if (frame.type === 'batch' && Array.isArray(frame.events)) {
      // Events that met a busy socket arrive in one batch; each is measured as the frame it is
      // when sent on its own (the server's JSON, re-serialised unchanged: same keys, same order).
      for (const event of frame.events) peer.inbox.push({ type: event.type, text: JSON.stringify(event) });
    } else {
      peer.inbox.push({ type: frame.type, text });
    }
    for (const w of peer.waiters.splice(0)) w();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return peer;
}

/** Waits (at most 5 s) for the next frame of `type`, consuming frames before it. */
async function take(peer: Peer, type: string): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const i = peer.inbox.findIndex((f) => f.type === type);
    if (i >= 0) return (peer.inbox.splice(0, i + 1)[i] as { text: string }).text;
    if (Date.now() > deadline)
      throw new Error(`no ${type} frame within 5 s (have: ${peer.inbox.map((f) => f.type)})`);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 100);
      peer.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

export async function measureFrameBytes(port: number): Promise<{
  frames: Record<string, FrameSize>;
  newTextChat: number;
  newTextChatNamingAuthor: number;
  socketioNewTextChat: number;
}> {
  const frames: Record<string, FrameSize> = {};
  const note = (key: string, text: string, fromClient: boolean) => {
    const payload = Buffer.byteLength(text);
    frames[key] ??= { payload, wire: wireBytes(payload, fromClient) };
  };
  // A fresh server and database each run, so the typical page key is free.
  const page = TYPICAL_PAGE;
  const seen = (type: string, text: string) => {
    if (type === 'presence' || type === 'batch') note(`server:${type}`, text, false);
  };
  const a = await open(port, seen);
  const b = await open(port, seen);
  const send = (peer: Peer, frame: object) => {
    const text = JSON.stringify(frame);
    note(`client:${(frame as { type: string }).type}`, text, true);
    peer.socket.send(text);
  };
  try {
    for (const [peer, i] of [
      [a, 1],
      [b, 2],
    ] as const) {
      send(peer, hello(benchSecret(i)));
      note('server:welcome', await take(peer, 'welcome'), false);
      send(peer, { type: 'subscribe', page });
      note('server:snapshot (empty page)', await take(peer, 'snapshot'), false);
    }
    const lorem = 'A typical remark about the quoted passage, long enough to say something useful. ';
    const createChat = (chatId: string) =>
      send(a, {
        type: 'create-chat',
        broadcastId: randomUUID(),
        page,
        chatId,
        commentId: entityId(),
        selectors: anchorSelectors(),
        text: lorem.repeat(2).slice(0, 80),
      });
    // The first event of an author on the page names them (`authors`); later ones name them by id.
    createChat(entityId());
    note('server:ack', await take(a, 'ack'), false);
    const naming = await take(b, 'new-text-chat');
    note('server:new-text-chat (naming its author)', naming, false);
    const chatId = entityId();
    createChat(chatId);
    await take(a, 'ack');
    const created = await take(b, 'new-text-chat');
    note('server:new-text-chat', created, false);
    const commentId = entityId();
    send(a, {
      type: 'add-comment',
      broadcastId: randomUUID(),
      page,
      chatId,
      commentId,
      text: lorem.slice(0, 80),
    });
    note('server:updated-text-chat (add-comment)', await take(b, 'updated-text-chat'), false);
    send(a, {
      type: 'edit-comment',
      broadcastId: randomUUID(),
      page,
      chatId,
      commentId,
      text: lorem.slice(0, 60),
    });
    note('server:updated-text-chat (edit-comment)', await take(b, 'updated-text-chat'), false);
    send(a, { type: 'delete-comment', broadcastId: randomUUID(), page, chatId, commentId });
    note('server:updated-text-chat (delete-comment)', await take(b, 'updated-text-chat'), false);
    send(a, { type: 'delete-chat', broadcastId: randomUUID(), page, chatId });
    note('server:deleted-text-chat', await take(b, 'deleted-text-chat'), false);
    send(b, { type: 'subscribe', page, since: 2 });
    note('server:replay (4 events)', await take(b, 'replay'), false);
    send(a, { type: 'ping', t: Date.now() });
    note('server:pong', await take(a, 'pong'), false);
    a.socket.send('{"type":"no-such-frame"}');
    note('server:error', await take(a, 'error'), false);
    const ntc = Buffer.byteLength(created);
    return {
      frames,
      newTextChat: wireBytes(ntc, false),
      newTextChatNamingAuthor: wireBytes(Buffer.byteLength(naming), false),
      // Socket.IO frames the same object as 42["event",{…}].
      socketioNewTextChat: wireBytes(ntc + Buffer.byteLength('42["event",]'), false),
    };
  } finally {
    a.socket.terminate();
    b.socket.terminate();
  }
}
