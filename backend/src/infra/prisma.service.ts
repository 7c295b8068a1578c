import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { APP_CONFIG, AppConfig } from '../config/config';
import { PrismaClient } from '../generated/prisma/client';
import { PG_SESSION_OPTIONS } from './database.service';

/** Prisma (JS engine + pg driver adapter) for everything that is not on a rush path. */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({
      adapter: new PrismaPg({ connectionString: config.DATABASE_URL, max: 10, options: PG_SESSION_OPTIONS }),
    });
  }

  /** After every onModuleDestroy: workers and queues close first, connections last. */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
