/** Parsed versions: a handful of distinct strings, compared for every field of every stream. */
const parsed = new Map<string, ServerVersion>();

/** A nats-server version, compared numerically. */
export class ServerVersion {
  private constructor(readonly parts: readonly [number, number, number]) {}

  /** Parses `'2.10.3'`, `'v2.9.10'`, `'2.11.0-beta.1'`; unknown input is treated as the newest. */
  static parse(version: string | undefined): ServerVersion {
    const key = version ?? '';
    let result = parsed.get(key);
    if (!result) {
      const match = /(\d+)\.(\d+)\.(\d+)/.exec(key);
      result = new ServerVersion(match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [Number.MAX_SAFE_INTEGER, 0, 0]);
      parsed.set(key, result);
    }
    return result;
  }

  /** Whether this version is `other` or newer. */
  atLeast(other: string): boolean {
    const o = ServerVersion.parse(other).parts;
    for (let i = 0; i < 3; i++) {
      if (this.parts[i] !== o[i]) return this.parts[i] > o[i];
    }
    return true;
  }

  toString(): string {
    return this.parts[0] === Number.MAX_SAFE_INTEGER ? 'unknown' : this.parts.join('.');
  }
}
