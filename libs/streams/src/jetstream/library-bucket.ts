/** The key-value bucket this library keeps its coordination records in (migrations in progress); created on first write. */
export const LIBRARY_BUCKET = 'nestjs-jetstream-streams';

/** The stream behind {@link LIBRARY_BUCKET}: the library's own, never reported as one of the app's streams. */
export const LIBRARY_BUCKET_STREAM = `KV_${LIBRARY_BUCKET}`;

/** Whether a stream is the library's own (its coordination bucket), not one of the app's. */
export function isLibraryStream(name: string): boolean {
  return name === LIBRARY_BUCKET_STREAM;
}
