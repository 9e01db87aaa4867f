/** A subject pattern stored in a {@link SubjectIndex}, with its value. */
export interface SubjectEntry<T> {
  /** The stored pattern. */
  subject: string;
  /** The value stored with it (e.g. the stream that captures it). */
  value: T;
}

interface TokenNode<T> {
  children: Map<string, TokenNode<T>>;
  /** Patterns with `*` at this token. */
  star?: TokenNode<T>;
  /** Patterns that end at this node. */
  ends: SubjectEntry<T>[];
  /** Patterns with `>` at this token (one or more tokens from here). */
  tails: SubjectEntry<T>[];
}

/** Called for each overlapping entry; returning `true` stops the search. */
type Visit<T> = (entry: SubjectEntry<T>) => boolean | void;

const node = <T>(): TokenNode<T> => ({ children: new Map(), ends: [], tails: [] });

/**
 * Subject patterns indexed token by token, so the patterns that overlap a new one (some concrete
 * subject matches both) are found by walking the tokens, not by comparing every pair. A literal
 * query costs one step per token (plus the stored `*` branches); a query with `*` or `>` visits
 * every branch it can match.
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
      else {
        let next = at.children.get(token);
        if (!next) at.children.set(token, (next = node<T>()));
        at = next;
      }
    }
    at.ends.push({ subject, value });
  }

  /** Every stored pattern that overlaps `subject`, with its value. */
  overlapping(subject: string): SubjectEntry<T>[] {
    const found: SubjectEntry<T>[] = [];
    walk(this.root, subject.split('.'), 0, (entry) => {
      found.push(entry);
    });
    return found;
  }

  /** The first stored pattern that overlaps `subject` and passes `accept`, or undefined; stops there. */
  findOverlapping(subject: string, accept: (entry: SubjectEntry<T>) => boolean = () => true): SubjectEntry<T> | undefined {
    let hit: SubjectEntry<T> | undefined;
    walk(this.root, subject.split('.'), 0, (entry) => {
      if (!accept(entry)) return false;
      hit = entry;
      return true;
    });
    return hit;
  }
}

/** Visits the entries under `at` that overlap `tokens[i..]`; true when `visit` asked to stop. */
function walk<T>(at: TokenNode<T> | undefined, tokens: string[], i: number, visit: Visit<T>): boolean {
  if (!at) return false;
  if (i === tokens.length) return visitAll(at.ends, visit);
  // A stored '>' here stands for the rest of `tokens`, which has at least one more.
  if (visitAll(at.tails, visit)) return true;
  const token = tokens[i];
  if (token === '>') {
    for (const child of at.children.values()) if (everything(child, visit)) return true;
    return at.star ? everything(at.star, visit) : false;
  }
  if (token === '*') {
    for (const child of at.children.values()) if (walk(child, tokens, i + 1, visit)) return true;
    return walk(at.star, tokens, i + 1, visit);
  }
  return walk(at.children.get(token), tokens, i + 1, visit) || walk(at.star, tokens, i + 1, visit);
}

/** Visits every entry at or under `at`. */
function everything<T>(at: TokenNode<T>, visit: Visit<T>): boolean {
  if (visitAll(at.ends, visit) || visitAll(at.tails, visit)) return true;
  for (const child of at.children.values()) if (everything(child, visit)) return true;
  return at.star ? everything(at.star, visit) : false;
}

function visitAll<T>(entries: SubjectEntry<T>[], visit: Visit<T>): boolean {
  for (const entry of entries) if (visit(entry) === true) return true;
  return false;
}
