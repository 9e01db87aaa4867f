import type { AdvisoryReplica } from '../jetstream/stream-advisories.js';
import type { FieldChange } from '../declaration/stream-diff.js';
import type { EnsureAction } from '../reconcile/stream-results.js';

/** What every event carries. */
interface EventBase {
  /** The stream concerned. */
  stream: string;
  /** When it happened (ISO 8601): the server's timestamp for server events, else the library's. */
  at: string;
}

/**
 * The server announced that a stream of this connection's JetStream domain was created, updated
 * (every successful STREAM.UPDATE, a no-op one included) or deleted, by anyone: this app, another
 * instance, another app, or someone with the `nats` CLI.
 */
export interface StreamChangedEvent extends EventBase {
  type: 'created' | 'updated' | 'deleted';
  /** Whether this connection declares the stream (forRoot or forFeature). */
  declared: boolean;
  /** The JetStream domain of the server that sent it, when that server has one. */
  domain?: string;
}

/** A clustered stream elected a new leader (at creation, and after losing its leader). */
export interface StreamLeaderElectedEvent extends EventBase {
  type: 'leader-elected';
  declared: boolean;
  domain?: string;
  /** The new leader's server name. */
  leader: string;
  replicas: AdvisoryReplica[];
}

/** A clustered stream's leader stepped down for lack of quorum: writes fail until it has one. */
export interface StreamQuorumLostEvent extends EventBase {
  type: 'quorum-lost';
  declared: boolean;
  domain?: string;
  replicas: AdvisoryReplica[];
}

/**
 * A declared stream no longer matches its declaration after a change made elsewhere, found on a
 * fresh read: it was deleted, or fields differ (`changes`: the server's value and the declared one).
 */
export interface StreamDriftedEvent extends EventBase {
  type: 'drifted';
  cause: 'deleted' | 'changed';
  /** The differing fields; empty when the stream was deleted. */
  changes: FieldChange[];
}

/** With `reconcile.onDrift: 'repair'`, a drifted declared stream was ensured again. */
export interface StreamRepairedEvent extends EventBase {
  type: 'repaired';
  /** What the ensure did, e.g. `created` for a deleted stream, `updated` for a changed one. */
  action: EnsureAction;
  /** The fields it set back. */
  changes: FieldChange[];
}

/**
 * A repair was refused or failed: the declaration's own rules forbid it (a conflict, a change that
 * would delete messages, a mode that does not write), or the server did not answer. The stream
 * stays as it is; the error says why.
 */
export interface StreamRepairFailedEvent extends EventBase {
  type: 'repair-failed';
  error: Error;
}

/**
 * A declared stream kept drifting after repairs: it was repaired `repairs` times within `windowMs`
 * (`reconcile.maxRepairs`, `reconcile.repairWindowMs`), most likely because another app declares
 * it differently. Repairs of this stream stop until the app restarts; its health says `flapping`.
 */
export interface StreamFlappingEvent extends EventBase {
  type: 'flapping';
  repairs: number;
  windowMs: number;
}

/** Everything `StreamEvents.events$` emits; switch on `type`. */
export type StreamEvent =
  | StreamChangedEvent
  | StreamLeaderElectedEvent
  | StreamQuorumLostEvent
  | StreamDriftedEvent
  | StreamRepairedEvent
  | StreamRepairFailedEvent
  | StreamFlappingEvent;

/** The `type` of every {@link StreamEvent}. */
export type StreamEventType = StreamEvent['type'];
