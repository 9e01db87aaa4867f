/** A nats-server version, compared numerically. */
export class ServerVersion {
  private constructor(readonly parts: readonly [number, number, number]) {}

  /** Parses `'2.10.3'`, `'v2.9.10'`, `'2.11.0-beta.1'`; unknown input is treated as the newest. */
  static parse(version: string | undefined): ServerVersion {
    const match = /(\d+)\.(\d+)\.(\d+)/.exec(version ?? '');
    return new ServerVersion(match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [Number.MAX_SAFE_INTEGER, 0, 0]);
  }

  /** Whether this version is `other` (such as `'2.10.0'`) or newer. */
  atLeast(other: string): boolean {
    // Read without a regular expression or an allocation: the diff asks this for each versioned field.
    let part = 0;
    let number = 0;
    for (let i = 0; i <= other.length && part < 3; i++) {
      const code = i < other.length ? other.charCodeAt(i) : 46;
      if (code >= 48 && code <= 57) {
        number = number * 10 + code - 48;
        continue;
      }
      if (this.parts[part] !== number) return this.parts[part] > number;
      part++;
      number = 0;
    }
    return true;
  }

  toString(): string {
    return this.parts[0] === Number.MAX_SAFE_INTEGER ? 'unknown' : this.parts.join('.');
  }
}
