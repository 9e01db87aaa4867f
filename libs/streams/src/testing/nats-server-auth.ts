/** Credentials a test server requires from its clients: one user, or one token. */
export type NatsServerAuth = { user: string; password: string } | { token: string };

/**
 * Subjects a user may use for one direction. A plain list allows exactly those subjects;
 * `{ allow, deny }` allows `allow` (everything when omitted) minus `deny`. Wildcards as in NATS.
 */
export type NatsSubjectPermission = readonly string[] | { allow?: readonly string[]; deny?: readonly string[] };

/** What a user may publish and subscribe to (the nats-server `permissions` block). */
export interface NatsUserPermissions {
  /**
   * Subjects the user may publish to (requests included).
   * @default every subject
   */
  publish?: NatsSubjectPermission;
  /**
   * Subjects the user may subscribe to. A client that sends requests needs its reply
   * subjects here, `_INBOX.>` with the `nats` client's defaults.
   * @default every subject
   */
  subscribe?: NatsSubjectPermission;
  /**
   * Lets the user publish a reply to a request it received, whatever `publish` says
   * (`allow_responses: true`).
   * @default false
   */
  allowResponses?: boolean;
}

/** One user with a password and, optionally, restricted permissions. */
export interface NatsServerUser {
  /** The user name clients present. */
  user: string;
  /** The password clients present. */
  password: string;
  /**
   * What the user may publish and subscribe to.
   * @default unrestricted
   */
  permissions?: NatsUserPermissions;
}

/** Per-account JetStream limits (the account's `jetstream { max_file, max_mem }`), in bytes. */
export interface NatsAccountJetStreamLimits {
  /** @default unlimited (bounded by the server's `max_file_store`) */
  maxFile?: number;
  /** @default unlimited (bounded by the server's `max_memory_store`) */
  maxMemory?: number;
}

/** One account: its users, and whether it may use JetStream. */
export interface NatsServerAccount {
  /**
   * Enables JetStream for the account, unlimited (`true`) or with limits. The server itself
   * must run JetStream ({@link NatsServerOptions.jetstream}).
   * @default false (a client of this account gets "JetStream not enabled" answers)
   */
  jetstream?: boolean | NatsAccountJetStreamLimits;
  /** The users who log in to this account. */
  users: readonly NatsServerUser[];
}

/** Accounts by name, e.g. `{ APP: { jetstream: true, users: [...] }, PLAIN: { users: [...] } }`. */
export type NatsServerAccounts = Readonly<Record<string, NatsServerAccount>>;

/** @internal The authentication settings of one server, as {@link renderAuthConfig} reads them. */
export interface NatsAuthSettings {
  auth?: NatsServerAuth;
  users?: readonly NatsServerUser[];
  accounts?: NatsServerAccounts;
}

/** @internal The `authorization` and `accounts` blocks of a config file; empty without auth. */
export function renderAuthConfig(settings: NatsAuthSettings): string[] {
  const blocks: string[] = [];
  if (settings.auth) {
    blocks.push(renderSingleAuth(settings.auth));
  }
  if (settings.users) {
    blocks.push(['authorization {', '  users: [', ...settings.users.map((u) => `    ${renderUser(u)}`), '  ]', '}'].join('\n'));
  }
  if (settings.accounts) {
    const accounts = Object.entries(settings.accounts).map(([name, account]) => `  ${name}: ${renderAccount(account)}`);
    blocks.push(['accounts {', ...accounts, '}'].join('\n'));
  }
  return blocks;
}

/** @internal nats-server config strings accept JSON-style quoting. */
export function quote(value: string): string {
  return JSON.stringify(value);
}

function renderSingleAuth(auth: NatsServerAuth): string {
  const fields =
    'token' in auth ? [`  token: ${quote(auth.token)}`] : [`  user: ${quote(auth.user)}`, `  password: ${quote(auth.password)}`];
  return ['authorization {', ...fields, '}'].join('\n');
}

function renderAccount(account: NatsServerAccount): string {
  const users = `users: [ ${account.users.map(renderUser).join(', ')} ]`;
  return account.jetstream ? `{ jetstream: ${renderAccountJetStream(account.jetstream)}, ${users} }` : `{ ${users} }`;
}

function renderAccountJetStream(jetstream: true | NatsAccountJetStreamLimits): string {
  if (jetstream === true) {
    return 'enabled';
  }
  const limits = [
    jetstream.maxFile === undefined ? '' : `max_file: ${jetstream.maxFile}`,
    jetstream.maxMemory === undefined ? '' : `max_mem: ${jetstream.maxMemory}`,
  ].filter(Boolean);
  return limits.length > 0 ? `{ ${limits.join(', ')} }` : 'enabled';
}

function renderUser(user: NatsServerUser): string {
  const fields = [`user: ${quote(user.user)}`, `password: ${quote(user.password)}`];
  if (user.permissions) {
    fields.push(`permissions: ${renderPermissions(user.permissions)}`);
  }
  return `{ ${fields.join(', ')} }`;
}

function renderPermissions(permissions: NatsUserPermissions): string {
  const fields = [
    permissions.publish === undefined ? '' : `publish: ${renderSubjectPermission(permissions.publish)}`,
    permissions.subscribe === undefined ? '' : `subscribe: ${renderSubjectPermission(permissions.subscribe)}`,
    permissions.allowResponses ? 'allow_responses: true' : '',
  ].filter(Boolean);
  return `{ ${fields.join(', ')} }`;
}

function renderSubjectPermission(permission: NatsSubjectPermission): string {
  if (isSubjectList(permission)) {
    return renderList(permission);
  }
  const fields = [
    permission.allow === undefined ? '' : `allow: ${renderList(permission.allow)}`,
    permission.deny === undefined ? '' : `deny: ${renderList(permission.deny)}`,
  ].filter(Boolean);
  return `{ ${fields.join(', ')} }`;
}

function isSubjectList(permission: NatsSubjectPermission): permission is readonly string[] {
  return Array.isArray(permission);
}

function renderList(subjects: readonly string[]): string {
  return `[ ${subjects.map(quote).join(', ')} ]`;
}
