import { renderNatsServerConfig, type NatsServerConfig } from './nats-server-config.js';

const paths = { dir: '/tmp/nats-test-x', storeDir: '/tmp/nats-test-x/store' };
const anyPorts = { client: -1, monitoring: -1, cluster: -1, leafnode: -1 };

function render(config: Partial<NatsServerConfig>, ports = anyPorts): string {
  return renderNatsServerConfig({ jetstream: true, ...config }, paths, ports);
}

describe('renderNatsServerConfig', () => {
  it('lets the server pick every listener port before the first start, and pins them afterwards', () => {
    const config = { cluster: { name: 'c', routes: [4001] }, leafnodeListener: true };

    const first = render(config);
    const pinned = render(config, { client: 4222, monitoring: 8222, cluster: 6222, leafnode: 7422 });

    expect(first).toContain('port: -1\n');
    expect(first).toContain('http: "127.0.0.1:-1"');
    expect(first).toContain('listen: "127.0.0.1:-1"');
    expect(pinned).toContain('port: 4222\n');
    expect(pinned).toContain('http: "127.0.0.1:8222"');
    expect(pinned).toContain('listen: "127.0.0.1:6222"');
    expect(pinned).toContain('routes: [ "nats-route://127.0.0.1:4001" ]');
    expect(pinned).toContain('listen: "127.0.0.1:7422"');
  });

  it('renders the JetStream domain and limits', () => {
    const text = render({ jetstreamDomain: 'hub', maxFileStore: 1024 });

    expect(text).toContain(
      ['jetstream {', '  store_dir: "/tmp/nats-test-x/store"', '  domain: "hub"', '  max_file_store: 1024', '}'].join('\n'),
    );
  });

  it('renders users with allow and deny lists, plain lists and allow_responses', () => {
    const text = render({
      users: [
        {
          user: 'app',
          password: 'p"w',
          permissions: { publish: ['$JS.API.>'], subscribe: { allow: ['_INBOX.>'], deny: ['$JS.EVENT.>'] }, allowResponses: true },
        },
      ],
    });

    expect(text).toContain(
      '{ user: "app", password: "p\\"w", permissions: { publish: [ "$JS.API.>" ], ' +
        'subscribe: { allow: [ "_INBOX.>" ], deny: [ "$JS.EVENT.>" ] }, allow_responses: true } }',
    );
  });

  it('gives JetStream only to the accounts that ask for it, with their limits', () => {
    const text = render({
      accounts: {
        APP: { jetstream: { maxFile: 10, maxMemory: 5 }, users: [{ user: 'a', password: 'a' }] },
        ALL: { jetstream: true, users: [{ user: 'b', password: 'b' }] },
        PLAIN: { users: [{ user: 'c', password: 'c' }] },
      },
    });

    expect(text).toContain('APP: { jetstream: { max_file: 10, max_mem: 5 }, users: [');
    expect(text).toContain('ALL: { jetstream: enabled, users: [');
    expect(text).toContain('PLAIN: { users: [ { user: "c", password: "c" } ] }');
  });

  it('puts the credentials of a leaf remote into its URL, escaped, and binds the account', () => {
    const text = render({ leafnodeRemotes: [{ port: 7422, account: { name: 'APP', user: 'app', password: 'p@ss:w/rd' } }] });

    expect(text).toContain('remotes: [ { url: "nats-leaf://app:p%40ss%3Aw%2Frd@127.0.0.1:7422", account: "APP" } ]');
  });
});
