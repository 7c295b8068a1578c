// Prisma without downloaded engines (see ../shared/toolchain.md): the JS engine plus the pg
// driver adapter, for `prisma generate` and `prisma migrate deploy`.
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

/**
 * adapter-pg runs a migration script by splitting it on every ";", which breaks dollar-quoted
 * function bodies (our append-only triggers) and comments containing ";". PostgreSQL's simple
 * query protocol runs a whole script in one round trip, atomically, so send it unsplit.
 */
class WholeScriptPrismaPg extends PrismaPg {
  override async connect() {
    const adapter = await super.connect();
    const withClient = adapter as unknown as {
      client: { query(sql: string): Promise<unknown> };
      onError(error: unknown): never;
    };
    adapter.executeScript = async (script: string) => {
      try {
        await withClient.client.query(script);
      } catch (error) {
        withClient.onError(error);
      }
    };
    return adapter;
  }
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => new WholeScriptPrismaPg({ connectionString: process.env.DATABASE_URL }),
  schema: 'prisma/schema.prisma',
});
