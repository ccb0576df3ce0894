import { describe, expect, it } from 'vitest';
import { bucketOf, emptyHistogram, histogramQuantile, merge, quantile, record, sig } from './stats';
import { scanMarks, markedComment } from './payload';
import { wireBytes } from './bytes';
import { BenchResult, emptyResult, evaluateGoals } from './schema';
import { tableRows } from './report';
import { planFor } from './plan';

describe('quantile', () => {
  it.each([
    [[5, 1, 3, 2, 4], 0.5, 3],
    [[5, 1, 3, 2, 4], 0.99, 5],
    [[5, 1, 3, 2, 4], 0, 1],
    [[7], 0.5, 7],
  ])('of %j at %d is %d (nearest rank)', (samples, q, expected) => {
    expect(quantile(samples, q)).toBe(expected);
  });
  it('is NaN without samples', () => expect(quantile([], 0.5)).toBeNaN());
});

describe('latency histogram', () => {
  it('answers percentiles within 1 % of the exact ones', () => {
    const h = emptyHistogram();
    const samples = Array.from({ length: 10_000 }, (_, i) => 100 + ((i * 7919) % 50_000));
    for (const s of samples) record(h, s);
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = quantile(samples, q);
      const approx = histogramQuantile(h, q);
      expect(approx).toBeGreaterThanOrEqual(exact * 0.999);
      expect(approx).toBeLessThanOrEqual(exact * 1.0101);
    }
    expect(histogramQuantile(h, 1)).toBe(Math.max(...samples));
  });
  it('merges workers’ histograms into the same answer as one histogram', () => {
    const a = emptyHistogram();
    const b = emptyHistogram();
    const both = emptyHistogram();
    [10, 20, 30].forEach((v) => (record(a, v), record(both, v)));
    [1000, 2000].forEach((v) => (record(b, v), record(both, v)));
    const merged = merge(a, b);
    expect(merged.total).toBe(5);
    expect(histogramQuantile(merged, 0.8)).toBe(histogramQuantile(both, 0.8));
  });
  it('puts tiny, huge and odd values in valid buckets', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(-3)).toBe(0);
    expect(bucketOf(Number.NaN)).toBe(0);
    expect(bucketOf(1e12)).toBe(1899);
    expect(histogramQuantile(emptyHistogram(), 0.5)).toBeNaN();
  });
  it('rounds to significant digits', () => {
    expect(sig(123456)).toBe(123000);
    expect(sig(0.0012345)).toBe(0.00123);
  });
});

describe('markers', () => {
  it('finds every marker of a batch frame, with event and send time', () => {
    const frame = Buffer.from(
      JSON.stringify({ type: 'batch', events: [markedComment(7, 123456), markedComment(8, 123999)] }),
    );
    const seen: [number, number][] = [];
    expect(scanMarks(frame, (e, t) => seen.push([e, t]))).toBe(2);
    expect(seen).toEqual([
      [7, 123456],
      [8, 123999],
    ]);
  });
  it('keeps the comment at 80 characters', () => expect(markedComment(1, 2)).toHaveLength(80));
});

describe('wire bytes', () => {
  it.each([
    [100, false, 102],
    [125, true, 131],
    [126, false, 130],
    [70_000, false, 70_010],
  ])('%d payload bytes (client frame: %s) take %d on the wire', (payload, fromClient, wire) => {
    expect(wireBytes(payload, fromClient)).toBe(wire);
  });
});

describe('result schema', () => {
  it('accepts an empty quick result with every slot present, and evaluates goals as unknown', () => {
    const plan = planFor(true);
    const body = emptyResult(plan.sizes);
    const goals = evaluateGoals(body);
    expect(goals.every((g) => g.met === null)).toBe(true);
    const parsed = BenchResult.parse({
      meta: {
        date: new Date(0).toISOString(),
        quick: true,
        commit: 'abc1234',
        command: 'npm run bench -- --quick',
        machine: { cpus: 2, cpuModel: 'x', memoryGiB: 1, node: 'v20', loadAverageAtStart: [0, 0, 0] },
        seconds: 0,
        notes: [],
      },
      ...body,
      goals,
    });
    expect(parsed.fanout.ours.clients).toEqual([50, 200]);
    expect(parsed.latency.socketio.ratePerSec).toEqual([10, 2]);
    expect(Object.keys(parsed.storm)).toEqual(
      expect.arrayContaining(['clients', 'recoverSeconds', 'lost', 'duplicated']),
    );
    expect(tableRows(parsed)[0]).toEqual(['figure', 'ours', 'ws floor', 'Socket.IO']);
  });
  it('judges a goal from the figures', () => {
    const body = emptyResult(planFor(false).sizes);
    body.fanout.ours.cpuMicrosPerDelivery[0] = 5;
    body.fanout.ws.cpuMicrosPerDelivery[0] = 4;
    body.bytes.newTextChat = 640;
    const goals = evaluateGoals(body);
    expect(goals.find((g) => g.goal === 'CPU per delivery vs bare ws, 1000 clients')).toMatchObject({
      value: 1.25,
      met: true,
    });
    expect(goals.find((g) => g.goal === 'new-text-chat wire bytes')).toMatchObject({
      value: 640,
      met: false,
    });
  });
});
