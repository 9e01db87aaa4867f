/**
 * Micro-benchmark of the pure declaration core: CPU per declaration of normalising and diffing
 * (no server, no I/O), and the time to validate one declaration with many subjects.
 *
 * Run (compiles bench/ and the library with the bench tsconfig into bench/.tmp/dist, git-ignored):
 *
 *   npx tsc -p bench/tsconfig.json && node bench/.tmp/dist/bench/declaration-micro.js
 *
 * Options: `--rounds=N` timed rounds per figure (default 15, after 5 warm-up rounds); `--json`
 * prints one JSON object instead of text (the suite, `main.ts`, runs it so and makes a row of it).
 * It prints µs of CPU per declaration (median and fastest of the rounds) for 20,000 typical
 * declarations: normalise, diff against the config a nats-server 2.15 reports for each, and both;
 * `DesiredStreams.prepare` of an equal declaration given as new objects (what a remembered
 * declaration costs instead of normalising: its JSON key and a lookup); then the milliseconds
 * of CPU to normalise one declaration with 1,000 / 8,000 / 60,000 distinct subjects. CPU time of
 * the process (GC threads included), not wall time, so that other processes on the machine disturb
 * it less. The results of "normalise" and "normalise + diff" are dropped at once, as on a request
 * path; the "after" figure normalises while 20,000 earlier results stay alive, as an app's
 * declared streams do.
 */
import type { ConnectionService } from '../libs/streams/src/connection/connection.service.js';
import type { ResolvedStreamsOptions } from '../libs/streams/src/streams.options.js';
import { DesiredStreams } from '../libs/streams/src/streams/desired-streams.js';
import { ServerVersion } from '../libs/streams/src/server/server-version.js';
import type { ServerStreamConfig } from '../libs/streams/src/server/server-stream.js';
import { normalizeStreamConfig, type DesiredStream } from '../libs/streams/src/declaration/stream-config.js';
import type { StreamDeclaration } from '../libs/streams/src/declaration/stream-declaration.js';
import { diffStreamConfig } from '../libs/streams/src/declaration/stream-diff.js';

const DECLARATIONS = 20_000;
/** Declarations `DesiredStreams` keeps remembered at once (its memo holds 4,096). */
const REMEMBERED = 4_000;
const WARMUP_ROUNDS = 5;
const roundsArg = process.argv.find((a) => a.startsWith('--rounds='));
const ROUNDS = roundsArg ? Number(roundsArg.slice('--rounds='.length)) : 15;
const JSON_OUTPUT = process.argv.includes('--json');
const SUBJECT_COUNTS = [1_000, 8_000, 60_000];
const VERSION = ServerVersion.parse('2.15.1');
const AGES = ['1h', '7d', '30m', '1d'];

/** A typical declaration: a name, 1-3 subjects, max_age, max_msgs, storage and a description. */
function declaration(i: number): StreamDeclaration {
  const subjects = [[`orders.${i}.>`], [`orders.${i}.created`, `orders.${i}.paid`], [`orders.${i}.a`, `orders.${i}.b`, `orders.${i}.c`]][
    i % 3
  ];
  return {
    name: `orders_${i}`,
    subjects,
    max_age: AGES[i % AGES.length],
    max_msgs: 10_000 + i,
    storage: i % 2 === 0 ? 'file' : 'memory',
    description: `orders of shard ${i}`,
  };
}

const AGE_NANOS: Record<string, number> = { '1h': 3_600e9, '7d': 604_800e9, '30m': 1_800e9, '1d': 86_400e9 };

/**
 * What nats-server 2.15.1 answers for the stream of `declaration(i)` created with the library's
 * defaults, decoded from JSON as the client decodes it. Written out here, not derived from the
 * library, so the diff compares against the server's shape.
 */
function serverConfig(i: number): ServerStreamConfig {
  const d = declaration(i);
  const answer = {
    name: d.name,
    description: d.description,
    subjects: [...d.subjects].sort(),
    retention: 'limits',
    max_consumers: -1,
    max_msgs: d.max_msgs,
    max_bytes: -1,
    max_age: AGE_NANOS[d.max_age as string],
    max_msgs_per_subject: 100_000,
    max_msg_size: -1,
    discard: 'old',
    storage: d.storage,
    num_replicas: 1,
    duplicate_window: 120e9,
    compression: 'none',
    allow_direct: false,
    mirror_direct: false,
    sealed: false,
    deny_delete: false,
    deny_purge: false,
    allow_rollup_hdrs: false,
    consumer_limits: {},
    allow_msg_ttl: false,
    metadata: { '_nats.level': '5', '_nats.req.level': '0', '_nats.ver': '2.15.1' },
  };
  return JSON.parse(JSON.stringify(answer)) as ServerStreamConfig;
}

/**
 * µs of CPU per item (`process.cpuUsage`, so time spent waiting for a busy core is not counted) over
 * `ROUNDS` timed rounds of `run` on `count` items, after warm-up rounds: the median and the fastest round.
 */
function microsPerItem(count: number, run: () => number): { median: number; min: number } {
  let sink = 0;
  for (let r = 0; r < WARMUP_ROUNDS; r++) sink += run();
  const perItem: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const before = process.cpuUsage();
    sink += run();
    const used = process.cpuUsage(before);
    perItem.push((used.user + used.system) / count);
  }
  if (sink === -1) console.log('unreachable');
  perItem.sort((a, b) => a - b);
  return { median: perItem[Math.floor(perItem.length / 2)], min: perItem[0] };
}

function show(figure: { median: number; min: number }): string {
  return `${figure.median.toFixed(2)} µs per declaration (fastest round ${figure.min.toFixed(2)})`;
}

function main(): void {
  const declarations = Array.from({ length: DECLARATIONS }, (_, i) => declaration(i));
  const actual = declarations.map((_d, i) => serverConfig(i));
  for (let i = 0; i < DECLARATIONS; i++) {
    const { changes } = diffStreamConfig(normalizeStreamConfig(declarations[i]).config, actual[i], VERSION);
    if (changes.length) throw new Error(`the fixture of ${declarations[i].name} differs: ${JSON.stringify(changes)}`);
  }

  // Normalise and both first, while no result is kept alive: see the last figure.
  const normalise = microsPerItem(DECLARATIONS, () => {
    let n = 0;
    for (const d of declarations) n += normalizeStreamConfig(d).config.max_msgs;
    return n;
  });
  const both = microsPerItem(DECLARATIONS, () => {
    let n = 0;
    for (let i = 0; i < DECLARATIONS; i++)
      n += diffStreamConfig(normalizeStreamConfig(declarations[i]).config, actual[i], VERSION).changes.length;
    return n;
  });
  const desired: DesiredStream[] = declarations.map((d) => normalizeStreamConfig(d));
  const diff = microsPerItem(DECLARATIONS, () => {
    let n = 0;
    for (let i = 0; i < DECLARATIONS; i++) n += diffStreamConfig(desired[i].config, actual[i], VERSION).changes.length;
    return n;
  });
  // With many results alive, V8 may allocate new ones straight in the old generation (pretenuring),
  // which normalising then pays for in GC.
  const normaliseAfterKeeping = microsPerItem(DECLARATIONS, () => {
    let n = 0;
    for (const d of declarations) n += normalizeStreamConfig(d).config.max_msgs;
    return n;
  });

  // Each declaration remembered once (as many as the memo keeps); the lookups are given copies, as
  // an equal declaration given anew would be.
  const kept = declarations.slice(0, REMEMBERED);
  const facts = { version: VERSION, clustered: false };
  const connection = { serverFacts: () => facts } as unknown as ConnectionService;
  const remembered = new DesiredStreams({ streamDefaults: {} } as unknown as ResolvedStreamsOptions, connection);
  kept.forEach((d) => remembered.prepare(d));
  const copies = kept.map((d) => ({ ...d, subjects: [...d.subjects] }));
  const memoHit = microsPerItem(REMEMBERED, () => {
    let n = 0;
    for (const d of copies) n += remembered.prepare(d).config.max_msgs;
    return n;
  });

  const subjects = SUBJECT_COUNTS.map((count) => {
    const list = Array.from({ length: count }, (_, i) => (i % 500 === 499 ? `wild.${i}.*` : `events.${i}.created`));
    const before = process.cpuUsage();
    normalizeStreamConfig({ name: 'many', subjects: list });
    const used = process.cpuUsage(before);
    return { count, ms: (used.user + used.system) / 1000 };
  });

  if (JSON_OUTPUT) {
    const figures = { normalise, diff, both, normaliseAfterKeeping, memoHit };
    process.stdout.write(
      `${JSON.stringify({ declarations: DECLARATIONS, rounds: ROUNDS, node: process.version, ...figures, subjects })}\n`,
    );
    return;
  }
  console.log(`Declaration core, ${DECLARATIONS} declarations, ${ROUNDS} rounds (Node ${process.version})`);
  console.log(`  normalise          ${show(normalise)}`);
  console.log(`  diff               ${show(diff)}`);
  console.log(`  normalise + diff   ${show(both)}`);
  console.log(`  normalise, after ${DECLARATIONS} results were kept: ${show(normaliseAfterKeeping)}`);
  console.log(`  remembered         ${show(memoHit)}`);
  console.log('One declaration with many distinct subjects (1 in 500 a wildcard), normalised once:');
  for (const { count, ms } of subjects) console.log(`  ${String(count).padStart(6)} subjects  ${ms.toFixed(1)} ms of CPU`);
}

main();
