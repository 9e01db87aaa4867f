import type { BucketDeclaration } from '../declaration/bucket-declaration.js';
import type { ObjectStoreDeclaration } from '../declaration/object-store-declaration.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';

/** A declared bucket config passed to `ensureBucket` / `planBucket` besides its name: config and policy. */
export type BucketOptionsInput = Omit<BucketDeclaration, 'bucket'>;

/** A declared object store config passed to `ensureObjectStore` / `planObjectStore` besides its bucket name: config and policy. */
export type ObjectStoreOptionsInput = Omit<ObjectStoreDeclaration, 'bucket'>;

/**
 * The declaration of a bucket or object store from a method's `(bucket, config)` arguments.
 * @throws InvalidArgumentError when `config` is no object, or names another bucket
 */
export function storeArguments<T extends object>(bucket: string, config: T, method: string, example: string): T & { bucket: string } {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new InvalidArgumentError(method, 'config', `must be an object such as ${example}`);
  }
  const named = (config as { bucket?: unknown }).bucket;
  if (Object.hasOwn(config, 'bucket') && named !== bucket) {
    throw new InvalidArgumentError(method, 'config.bucket', `is '${String(named)}' but the bucket argument is '${bucket}'; leave it out`);
  }
  return { ...config, bucket };
}
