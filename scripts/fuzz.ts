// `npm run fuzz`: the protocol fuzz of test/server/fuzz.test.ts at scale, against a real server on
// a temp SQLite file. Stops after --frames (default 1,000,000) or --seconds (default 600), whichever
// comes first, and prints a summary. Options: --frames N --seconds S --parallel P --seed X.
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import {
  emptyTally,
  FRAMES_PER_CONNECTION,
  fuzzBatch,
  fuzzFrame,
  watchOtherTenant,
} from '../test/helpers/fuzz';
import { startTestServer } from '../test/helpers/server';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '600' },
    parallel: { type: 'string', default: '4' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
  },
});
const maxFrames = Number(values.frames);
const maxMs = Number(values.seconds) * 1000;
const parallel = Number(values.parallel);
const seed = Number(values.seed);

const t = await startTestServer();
const other = await watchOtherTenant(t.url, t.tokens.eve);
const tally = emptyTally();
const batch = fc.array(fuzzFrame, { minLength: FRAMES_PER_CONNECTION, maxLength: FRAMES_PER_CONNECTION });
const started = Date.now();
let next = 0;
let failure: Error | null = null;
const tokens = [t.tokens.alice, t.tokens.bob, t.tokens.admin];

const worker = async (w: number) => {
  while (!failure && tally.frames < maxFrames && Date.now() - started < maxMs) {
    const i = next++;
    const [frames] = fc.sample(batch, { numRuns: 1, seed: seed + i });
    try {
      await fuzzBatch(t.url, tokens[w % tokens.length]!, frames!, tally);
    } catch (err) {
      failure = new Error(`batch ${i} (seed ${seed + i}): ${(err as Error).message}`);
    }
    if (i % 200 === 0) {
      const s = (Date.now() - started) / 1000;
      console.error(`${tally.frames} frames in ${s.toFixed(0)} s (${Math.round(tally.frames / s)}/s)`);
    }
  }
};
await Promise.all(Array.from({ length: parallel }, (_, w) => worker(w)));
const seconds = (Date.now() - started) / 1000;
if (!failure) {
  try {
    await other.verify();
  } catch (err) {
    failure = err as Error;
  }
}
const stats = t.server.stats();
await other.client.close();
await t.close();

console.log(`fuzz: seed ${seed}, ${parallel} connections at a time`);
console.log(
  `frames: ${tally.frames} (${tally.invalid} invalid) over ${tally.connections} connections in ${seconds.toFixed(1)} s = ${Math.round(tally.frames / seconds)} frames/s`,
);
console.log('answers:');
for (const [kind, n] of Object.entries(tally.answers).sort((a, b) => b[1] - a[1])) {
  console.log(`  ${kind.padEnd(32)} ${n}`);
}
console.log(`server at the end: ${JSON.stringify(stats)}`);
if (failure) {
  console.log(`FAILED: ${failure.message}`);
  process.exitCode = 1;
} else {
  console.log('OK: every invalid frame got its error, every write an answer, nothing crossed tenants');
}
