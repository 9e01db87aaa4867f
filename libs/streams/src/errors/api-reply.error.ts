import type { ApiErrorBody } from './err-codes.js';

/**
 * The JetStream API answered a request with an error. Internal: the adapter throws it and
 * `toStreamsError` turns it into the typed error users see (which keeps it as `cause`).
 */
export class ApiReplyError extends Error {
  constructor(
    /** The API subject, without the prefix (e.g. `STREAM.UPDATE.orders`). */
    readonly subject: string,
    /** The server's error body. */
    readonly api: ApiErrorBody,
  ) {
    super(api.description ?? `JetStream API error ${api.err_code ?? api.code}`);
    this.name = 'ApiReplyError';
  }
}
