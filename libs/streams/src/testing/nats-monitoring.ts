import { get } from 'node:http';

const HTTP_TIMEOUT_MS = 1_000;

/**
 * @internal GETs a nats-server monitoring endpoint (`/varz`, `/jsz`, `/leafz`...) and parses its
 * JSON. Resolves `undefined` when the server does not answer or answers something else, so
 * pollers can treat "not yet" and "not reachable" alike. No keep-alive: a test ends with no
 * socket left open.
 */
export function readMonitoring(monitorUrl: string, path: string): Promise<unknown> {
  return new Promise((resolve) => {
    const request = get(`${monitorUrl}${path}`, { agent: false, timeout: HTTP_TIMEOUT_MS }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(parseJson(body)));
      response.on('error', () => resolve(undefined));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
