import 'reflect-metadata';
import { Inject, Injectable } from '@nestjs/common';
import { connectionProviders, OPTIONS } from './connection-providers.js';
import { STREAMS_RESOLVED_OPTIONS } from './streams.constants.js';
import { connectionToken } from './streams.tokens.js';

@Injectable()
class Connection {}

@Injectable()
class Api {
  constructor(
    @Inject(STREAMS_RESOLVED_OPTIONS) readonly options: object,
    readonly connection: Connection,
  ) {}
}

/** Declared by an interface, injected by class, as the reconciler does with the JetStream adapter. */
interface ApiPart {
  readonly connection: Connection;
}

@Injectable()
class User {
  constructor(@Inject(Api) readonly api: ApiPart) {}
}

@Injectable()
class Stranger {
  constructor(readonly api: Api) {}
}

describe('connectionProviders', () => {
  it('builds each class under its connection token, its dependencies taken from the same connection', () => {
    const providers = connectionProviders([Connection, Api, User], 'eu');

    expect(providers.map((p) => [p.provide, p.inject])).toEqual([
      [connectionToken(Connection, 'eu'), []],
      [connectionToken(Api, 'eu'), [connectionToken(OPTIONS, 'eu'), connectionToken(Connection, 'eu')]],
      [connectionToken(User, 'eu'), [connectionToken(Api, 'eu')]],
    ]);
    const connection = new Connection();
    const api = providers[1].useFactory({ name: 'eu' }, connection) as Api;
    expect(api).toBeInstanceOf(Api);
    expect(api.connection).toBe(connection);
  });

  it('gives two connections different tokens, and no class token at all', () => {
    const tokens = [...connectionProviders([Connection], 'default'), ...connectionProviders([Connection], 'eu')].map((p) => p.provide);

    expect(new Set(tokens).size).toBe(2);
    expect(tokens).not.toContain(Connection);
  });

  it('refuses a dependency that is not a class of the connection: a wiring error of the library', () => {
    expect(() => connectionProviders([Stranger], 'default')).toThrow(
      "Stranger's constructor parameter 0 (Api) is not a service of the connection",
    );
    expect(() => connectionProviders([Stranger], 'default', [Api])).not.toThrow();
  });
});
