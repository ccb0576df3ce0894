import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FlushClock, FrameEncoder, Outlet, wireBytes, type OutletOptions } from './fanout';

class FakeSocket {
  readonly sent: string[] = [];
  bufferedAmount = 0;
  send(data: string | Buffer, options: { binary: boolean }) {
    // Everything goes out as text frames.
    expect(options).toEqual({ binary: false });
    this.sent.push(data.toString());
  }
}

const event = (seq: number, page = 'https://example.com/a') =>
  JSON.stringify({ type: 'new-text-chat', page, seq, broadcastId: `b${seq}` });

describe('wireBytes (RFC 6455 server frame header)', () => {
  it.each([
    [0, 2],
    [125, 127],
    [126, 130],
    [65535, 65539],
    [65536, 65546],
  ])('a %i-byte payload takes %i bytes', (payload, total) => {
    expect(wireBytes(payload)).toBe(total);
  });
});

describe('Outlet', () => {
  let now: number;
  let socket: FakeSocket;
  let clock: FlushClock;
  let reports: { page: string | undefined; messages: number; bytes: number }[];
  let overflowed: number;
  const make = (options: Partial<OutletOptions> = {}, withClock = true) =>
    new Outlet(
      socket,
      withClock ? clock : null,
      { maxBufferedBytes: 1000, now: () => now, ...options },
      {
        reportWrite: (page, messages, bytes) => void reports.push({ page, messages, bytes }),
        overflowed: () => void overflowed++,
      },
    );

  beforeEach(() => {
    vi.useFakeTimers();
    now = 1000;
    socket = new FakeSocket();
    clock = new FlushClock(10);
    reports = [];
    overflowed = 0;
  });
  afterEach(() => {
    clock.close();
    vi.useRealTimers();
  });

  it('sends a lone event on an idle socket at once, as a plain frame', () => {
    make().send(event(1), 'https://example.com/a', true);
    expect(socket.sent).toEqual([event(1)]);
  });

  it('queues live frames due within the window and sends them as one batch of the same strings', () => {
    const outlet = make();
    outlet.send(event(1), 'p', true);
    now += 3;
    outlet.send(event(2), 'p', true);
    outlet.send(event(3), 'p', true);
    expect(socket.sent).toHaveLength(1);
    vi.advanceTimersByTime(10);
    expect(socket.sent).toEqual([event(1), `{"type":"batch","events":[${event(2)},${event(3)}]}`]);
    const batch = JSON.parse(socket.sent[1]!) as { events: { seq: number }[] };
    expect(batch.events.map((e) => e.seq)).toEqual([2, 3]);
  });

  it('sends a single queued frame without a batch wrapper', () => {
    const outlet = make();
    outlet.send(event(1), 'p', true);
    outlet.send(event(2), 'p', true);
    vi.advanceTimersByTime(10);
    expect(socket.sent).toEqual([event(1), event(2)]);
  });

  it('sends at once again after a quiet window', () => {
    const outlet = make();
    outlet.send(event(1), 'p', true);
    now += 10;
    outlet.send(event(2), 'p', true);
    expect(socket.sent).toEqual([event(1), event(2)]);
  });

  it('batches over a wider window while the node is saturated, and narrows again when calm', () => {
    const outlet = make();
    clock.observeUtilization(0.95);
    expect(clock.windowMs).toBe(50);
    outlet.send(event(1), 'p', true);
    now += 30;
    // 30 ms later: inside the busy window, so it waits for the window's end.
    outlet.send(event(2), 'p', true);
    outlet.send(event(3), 'p', true);
    expect(socket.sent).toEqual([event(1)]);
    vi.advanceTimersByTime(50);
    expect(socket.sent).toEqual([event(1), `{"type":"batch","events":[${event(2)},${event(3)}]}`]);
    // Between the thresholds the window stays; under the lower one it is the base one again.
    clock.observeUtilization(0.7);
    expect(clock.windowMs).toBe(50);
    clock.observeUtilization(0.3);
    expect(clock.windowMs).toBe(10);
    now += 60;
    outlet.send(event(4), 'p', true);
    now += 30;
    outlet.send(event(5), 'p', true);
    expect(socket.sent.slice(2)).toEqual([event(4), event(5)]);
  });

  it('flushes what waits before a frame that cannot be batched, keeping the order of calls', () => {
    const outlet = make();
    outlet.send(event(1), 'p', true);
    outlet.send(event(2), 'p', true);
    outlet.send('{"type":"ack"}', 'p', false);
    expect(socket.sent).toEqual([event(1), event(2), '{"type":"ack"}']);
    vi.advanceTimersByTime(10);
    expect(socket.sent).toHaveLength(3);
  });

  it('sends every frame on its own when batching is off', () => {
    const outlet = make({}, false);
    for (let seq = 1; seq <= 3; seq++) outlet.send(event(seq), 'p', true);
    expect(socket.sent).toEqual([event(1), event(2), event(3)]);
  });

  it('sends a queue that would pass the batch size at once, before adding to it', () => {
    const outlet = make({ maxBatchBytes: event(2).length * 2 + 1, maxBufferedBytes: 1e6 });
    for (let seq = 1; seq <= 4; seq++) outlet.send(event(seq), 'p', true);
    expect(socket.sent).toEqual([event(1), `{"type":"batch","events":[${event(2)},${event(3)}]}`]);
    vi.advanceTimersByTime(10);
    expect(socket.sent[2]).toBe(event(4));
  });

  it('reports messages per event and exactly the bytes written, header included', () => {
    const outlet = make();
    outlet.send(event(1, 'https://a.example/x'), 'https://a.example/x', true);
    outlet.send(event(2, 'https://a.example/x'), 'https://a.example/x', true);
    outlet.send(event(3, 'https://b.example/y'), 'https://b.example/y', true);
    vi.advanceTimersByTime(10);
    const written = socket.sent.reduce((sum, s) => sum + wireBytes(Buffer.byteLength(s)), 0);
    expect(reports.reduce((sum, r) => sum + r.bytes, 0)).toBe(written);
    expect(reports.reduce((sum, r) => sum + r.messages, 0)).toBe(3);
    const bPage = reports.filter((r) => r.page === 'https://b.example/y');
    expect(bPage).toEqual([
      { page: 'https://b.example/y', messages: 1, bytes: event(3, 'https://b.example/y').length + 1 },
    ]);
  });

  it('drops a socket whose unsent bytes pass the bound instead of writing more', () => {
    const outlet = make();
    socket.bufferedAmount = 1001;
    outlet.send(event(1), 'p', true);
    expect(socket.sent).toEqual([]);
    expect(overflowed).toBe(1);
    outlet.send(event(2), 'p', false);
    expect(socket.sent).toEqual([]);
  });

  it('encodes a live frame once for every socket it goes to', () => {
    const encoder = new FrameEncoder(4);
    const frame = event(1);
    const sockets = [new FakeSocket(), new FakeSocket()];
    const seen: unknown[] = [];
    for (const s of sockets) {
      const spy = { ...s, send: (data: string | Buffer) => seen.push(data), bufferedAmount: 0 };
      new Outlet(
        spy,
        clock,
        { maxBufferedBytes: 1000, encoder },
        { reportWrite: () => {}, overflowed: () => {} },
      ).send(frame, 'p', true);
    }
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBeInstanceOf(Buffer);
    expect(seen[0]).toBe(seen[1]);
    expect((seen[0] as Buffer).toString()).toBe(frame);
    for (let i = 0; i < 5; i++) encoder.encode(`other ${i}`);
    expect(encoder.encode(frame)).not.toBe(seen[0]); // bounded: the cache was emptied
  });

  it('drops what waits when discarded', () => {
    const outlet = make();
    outlet.send(event(1), 'p', true);
    outlet.send(event(2), 'p', true);
    outlet.discard();
    vi.advanceTimersByTime(10);
    expect(socket.sent).toEqual([event(1)]);
  });
});
