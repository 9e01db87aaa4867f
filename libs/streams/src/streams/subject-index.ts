interface Entry<T> {
  subject: string;
  value: T;
}

interface TokenNode<T> {
  children: Map<string, TokenNode<T>>;
  /** Patterns with `*` at this token. */
  star?: TokenNode<T>;
  /** Patterns that end at this node. */
  ends: Entry<T>[];
  /** Patterns with `>` at this token (one or more tokens from here). */
  tails: Entry<T>[];
}

const node = <T>(): TokenNode<T> => ({ children: new Map(), ends: [], tails: [] });

/**
 * Subject patterns indexed token by token, so the patterns that overlap a new one (some concrete
 * subject matches both) are found by walking the tokens, not by comparing every pair.
 */
export class SubjectIndex<T> {
  private readonly root = node<T>();

  /** Adds a valid subject pattern with a value (e.g. the stream that captures it). */
  add(subject: string, value: T): void {
    let at = this.root;
    for (const token of subject.split('.')) {
      if (token === '>') {
        at.tails.push({ subject, value });
        return;
      }
      if (token === '*') at = at.star ??= node<T>();
      else at = at.children.get(token) ?? at.children.set(token, node<T>()).get(token)!;
    }
    at.ends.push({ subject, value });
  }

  /** Every stored pattern that overlaps `subject`, with its value. */
  overlapping(subject: string): Entry<T>[] {
    const found: Entry<T>[] = [];
    this.walk(this.root, subject.split('.'), 0, found);
    return found;
  }

  private walk(at: TokenNode<T> | undefined, tokens: string[], i: number, found: Entry<T>[]): void {
    if (!at) return;
    if (i === tokens.length) {
      found.push(...at.ends);
      return;
    }
    // A stored '>' here stands for the rest of `tokens`, which has at least one more.
    found.push(...at.tails);
    const token = tokens[i];
    if (token === '>') {
      for (const child of childrenOf(at)) everything(child, found);
    } else if (token === '*') {
      for (const child of childrenOf(at)) this.walk(child, tokens, i + 1, found);
    } else {
      this.walk(at.children.get(token), tokens, i + 1, found);
      this.walk(at.star, tokens, i + 1, found);
    }
  }
}

function childrenOf<T>(at: TokenNode<T>): TokenNode<T>[] {
  return at.star ? [...at.children.values(), at.star] : [...at.children.values()];
}

function everything<T>(at: TokenNode<T>, found: Entry<T>[]): void {
  found.push(...at.ends, ...at.tails);
  for (const child of childrenOf(at)) everything(child, found);
}
