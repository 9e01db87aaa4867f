import type { NatsTestServer } from '@app/streams/testing';
import type { JetStreamManager, NatsConnection } from 'nats';
import { maxCounts, type ApiCounter, type Report, type RequestCounts } from './harness.js';

/** Repetitions of each kind of measurement (a full run, or `--quick`). */
export interface Reps {
  /** Alternated runs of the fast scenarios (start-up, monitor tick). */
  fast: number;
  /** Runs of the cold start-up, which creates N streams each time. */
  cold: number;
  /** Single ensure calls per side (at most N - 5). */
  single: number;
  /** Passes over those streams in one warm loop. */
  loopPasses: number;
  /** Load runs per side of the /health scenario. */
  http: number;
  /** Memory measurements per side (a process each). */
  memory: number;
}

/** What every scenario runs against: one server, a raw connection, the request counter, the report. */
export interface BenchEnv {
  server: NatsTestServer;
  url: string;
  nc: NatsConnection;
  jsm: JetStreamManager;
  counter: ApiCounter;
  report: Report;
  reps: Reps;
  quick: boolean;
}

/** The N that issue #14 states its goals at; rows of a smaller N show those figures as info. */
export const GOAL_N = 1000;

/** A goal stated at {@link GOAL_N}: its text, or for a smaller N the same text marked as info. */
export function goalAtGoalN(n: number, goal: string): string {
  return n >= GOAL_N ? goal : `info (goal at N=${GOAL_N}: ${goal})`;
}

/** Streams per page of the server's paginated stream list. */
export const PAGE = 256;

/** Requests one paginated list of `n` streams takes. */
export const pages = (n: number): number => Math.ceil(n / PAGE);

/** A note when one side's runs did not all ask the same, with the most any run asked. */
export function countsNote(label: string, all: RequestCounts[]): string {
  const same = all.every((c) => JSON.stringify(c) === JSON.stringify(all[0]));
  return same ? '' : ` ${label} requests varied between runs (max ${JSON.stringify(maxCounts(all))}).`;
}
