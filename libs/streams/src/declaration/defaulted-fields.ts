/** Where a config value that the declaration did not give came from. */
export type DefaultSource = 'streamDefaults' | 'library';

/** Added to a field's position in {@link DefaultedFields}' `given` list when the module's defaults gave it. */
export const GIVEN_BY_DEFAULTS = 1024;

/**
 * The fields of one normalised config whose value did not come from the declaration, as a
 * read-only map. Worked out when asked, from the config and the normaliser's list of given
 * fields, because every declaration is normalised and few are ever asked.
 */
export class DefaultedFields implements ReadonlyMap<string, DefaultSource> {
  private built?: Map<string, DefaultSource>;

  /**
   * @param fields the fields of the table the config follows, in table order
   * @param config the normalised config (not changed afterwards)
   * @param given  the position in `fields` of each field the declaration gave, plus
   *               {@link GIVEN_BY_DEFAULTS} for one the module's `streamDefaults` gave; any other
   *               field the config holds came from the library
   */
  constructor(
    private readonly fields: readonly string[],
    private readonly config: Readonly<Record<string, unknown>>,
    private readonly given: readonly number[],
  ) {}

  /** Where the field's value came from, or undefined when the declaration gave it (or the config does not hold it). */
  get(field: string): DefaultSource | undefined {
    const i = this.fields.indexOf(field);
    if (i === -1 || this.given.includes(i)) return undefined;
    if (!Object.hasOwn(this.config, field) || this.config[field] === undefined) return undefined;
    return this.given.includes(i + GIVEN_BY_DEFAULTS) ? 'streamDefaults' : 'library';
  }

  /** Whether the field's value came from a default. */
  has(field: string): boolean {
    return this.get(field) !== undefined;
  }

  /** How many fields came from a default. */
  get size(): number {
    return this.toMap().size;
  }

  /** Calls `callback` for each defaulted field, in table order. */
  forEach(callback: (source: DefaultSource, field: string, map: ReadonlyMap<string, DefaultSource>) => void, thisArg?: unknown): void {
    this.toMap().forEach((source, field) => callback.call(thisArg, source, field, this));
  }

  /** `[field, source]` pairs, in table order. */
  entries(): MapIterator<[string, DefaultSource]> {
    return this.toMap().entries();
  }

  /** The defaulted fields, in table order. */
  keys(): MapIterator<string> {
    return this.toMap().keys();
  }

  /** Their sources, in table order. */
  values(): MapIterator<DefaultSource> {
    return this.toMap().values();
  }

  /** `[field, source]` pairs, in table order. */
  [Symbol.iterator](): MapIterator<[string, DefaultSource]> {
    return this.entries();
  }

  private toMap(): Map<string, DefaultSource> {
    if (!this.built) {
      this.built = new Map();
      for (const field of this.fields) {
        const source = this.get(field);
        if (source) this.built.set(field, source);
      }
    }
    return this.built;
  }
}
