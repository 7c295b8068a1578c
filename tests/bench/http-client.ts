import { Agent, request } from 'node:http';

export interface JsonResponse {
  status: number;
  /** the raw body; parsed only where a caller needs it, so the client stays cheap */
  body: string;
}

/**
 * A keep-alive JSON client for loopback load. It uses node:http with a keep-alive Agent (one
 * socket per concurrent caller) rather than global fetch: there is no `undici` package to
 * import here, and fetch's WHATWG streams cost several times the CPU per request, which on a
 * 2-core machine would be taken from the server under test. Both the server under test and its
 * baseline are driven by this same client.
 */
export class JsonClient {
  private readonly agent: Agent;
  private readonly url: URL;

  constructor(baseUrl: string, maxSockets: number) {
    this.url = new URL(baseUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  post(path: string, payload: unknown, token?: string): Promise<JsonResponse> {
    const body = JSON.stringify(payload);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    };
    if (token) headers.authorization = `Bearer ${token}`;
    return new Promise((resolve, reject) => {
      const req = request(
        { host: this.url.hostname, port: this.url.port, path, method: 'POST', headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      // Bounded: a request that hangs this long is counted as a failure, not waited for forever.
      req.setTimeout(30_000, () => req.destroy(new Error('request timed out after 30 s')));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Logs in through the dev login and returns the access token. */
export async function devLogin(baseUrl: string, hsaId: string): Promise<string> {
  const client = new JsonClient(baseUrl, 1);
  try {
    const res = await client.post('/api/auth/dev-login', { hsaId });
    if (res.status !== 200) throw new Error(`dev-login ${hsaId}: ${res.status} ${res.body.slice(0, 300)}`);
    return (JSON.parse(res.body) as { accessToken: string }).accessToken;
  } finally {
    client.close();
  }
}
