import { ConfigError, loadConfig } from './config';

describe('configuration', () => {
  it('has working defaults for a local dev-mode start', () => {
    const c = loadConfig({ AUTH_MODE: 'dev' });
    expect(c).toMatchObject({ PORT: 3000, PROCESS_ROLE: 'all', runsApi: true, runsWorker: true });
  });

  it.each([
    [{ AUTH_MODE: 'off' }, /JWT_SECRET/],
    [{ AUTH_MODE: 'dev', PORT: 'eighty' }, /PORT/],
    [{ AUTH_MODE: 'dev', DATABASE_URL: 'mysql://x' }, /DATABASE_URL: must be a postgresql:\/\/ URL/],
    [{ AUTH_MODE: 'dev', PROCESS_ROLE: 'both' }, /PROCESS_ROLE/],
    [{ AUTH_MODE: 'dev', SMS_PROVIDER_URL: 'not a url' }, /SMS_PROVIDER_URL/],
    [{ AUTH_MODE: 'dev', NVR_EXPORT_CRON: 'every night' }, /NVR_EXPORT_CRON: must be a cron pattern/],
  ])('stops with one line naming the variable: %j', (env, pattern) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(pattern);
  });

  it('splits roles: a worker serves no HTTP, an api runs no queues', () => {
    expect(loadConfig({ AUTH_MODE: 'dev', PROCESS_ROLE: 'worker' })).toMatchObject({
      runsApi: false,
      runsWorker: true,
    });
    expect(loadConfig({ AUTH_MODE: 'dev', PROCESS_ROLE: 'api' })).toMatchObject({
      runsApi: true,
      runsWorker: false,
    });
  });
});
