/** Something a test owns and must dispose of. */
export interface Disposable {
  dispose(): Promise<void>;
}

/**
 * Returns `resource` once `ready` has resolved. When `ready` fails, the resource is disposed of
 * first, so nothing it started keeps running, and the error is rethrown.
 */
export async function readyOrDisposed<T extends Disposable>(resource: T, ready: (resource: T) => Promise<unknown>): Promise<T> {
  try {
    await ready(resource);
    return resource;
  } catch (error) {
    await resource.dispose();
    throw error;
  }
}
