/** Sending one SMS through a provider. Another provider implements the same interface. */
export interface SmsProvider {
  send(msg: { to: string; message: string; whenDelivered?: string }): Promise<{ id: string; status: string }>;
}

/** A refusal that retrying will not change (4xx: bad number, bad credentials). */
export class PermanentSmsError extends Error {}

/**
 * 46elks' documented interface: `POST {base}/a1/sms`, form fields `from`, `to`, `message`,
 * optional `whendelivered`; HTTP basic auth; JSON reply with `id` and `status`.
 */
export class FortySixElksProvider implements SmsProvider {
  constructor(
    private readonly opts: {
      baseUrl: string;
      user?: string;
      password?: string;
      from: string;
      timeoutMs: number;
    },
  ) {}

  async send(msg: { to: string; message: string; whenDelivered?: string }) {
    const body = new URLSearchParams({ from: this.opts.from, to: msg.to, message: msg.message });
    if (msg.whenDelivered) body.set('whendelivered', msg.whenDelivered);
    const auth = Buffer.from(`${this.opts.user ?? ''}:${this.opts.password ?? ''}`).toString('base64');
    const res = await fetch(`${this.opts.baseUrl.replace(/\/$/, '')}/a1/sms`, {
      method: 'POST',
      headers: { authorization: `Basic ${auth}`, 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(this.opts.timeoutMs),
    });
    const text = await res.text();
    if (res.status >= 400 && res.status < 500 && res.status !== 429) {
      throw new PermanentSmsError(`provider refused (${res.status}): ${text.slice(0, 200)}`);
    }
    if (!res.ok) throw new Error(`provider failed (${res.status})`); // 5xx, 429: retried with backoff
    const json = JSON.parse(text) as { id?: string; status?: string };
    if (!json.id) throw new Error('provider answered without an id');
    return { id: json.id, status: json.status ?? 'created' };
  }
}
