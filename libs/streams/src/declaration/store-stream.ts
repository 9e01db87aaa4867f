/**
 * The stream a store of the `nats` client stands on (a key-value bucket, an object store), laid
 * out as the client lays it out, with every field set so that nothing of the module's
 * `streamDefaults` applies; then the store's own fields copied onto their stream fields
 * (`compression` a boolean becomes `'s2'` or `'none'`). Nothing is checked here: the store's
 * normaliser checks it when the stream is prepared.
 *
 * @param fields each store field and the stream field it becomes (the policy keys among them)
 */
export function storeStream(
  name: string,
  subjects: string[],
  maxMsgsPerSubject: number,
  record: Record<string, unknown>,
  fields: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const stream: Record<string, unknown> = {
    name,
    subjects,
    retention: 'limits',
    storage: 'file',
    num_replicas: 1,
    max_msgs: -1,
    max_bytes: -1,
    max_age: 0,
    max_msgs_per_subject: maxMsgsPerSubject,
    max_msg_size: -1,
    discard: 'new',
    allow_rollup_hdrs: true,
    allow_direct: true,
  };
  for (const key of Object.keys(record)) {
    const field = fields[key];
    const value = record[key];
    if (field === undefined || value === undefined) continue;
    stream[field] = field === 'compression' && typeof value === 'boolean' ? (value ? 's2' : 'none') : value;
  }
  return stream;
}
