import { Injectable } from '@nestjs/common';
import { RedisService } from '../infra/redis.service';
import type { PresenceViewer } from './events';

const STALE_MS = 60_000;

/**
 * Who is looking at a unit's timebook, across instances: a Redis hash per unit, one field per
 * socket with a last-seen time that each instance refreshes for its own sockets, so that an
 * instance that dies leaves no ghosts for longer than a minute.
 */
@Injectable()
export class PresenceService {
  constructor(private readonly redis: RedisService) {}

  private key(unitId: string) {
    return this.redis.key('presence', unitId);
  }

  async join(unitId: string, socketId: string, viewer: PresenceViewer): Promise<void> {
    await this.redis.client.hset(this.key(unitId), socketId, JSON.stringify({ ...viewer, seen: Date.now() }));
  }

  async leave(unitId: string, socketId: string): Promise<void> {
    await this.redis.client.hdel(this.key(unitId), socketId);
  }

  async refresh(entries: Array<{ unitId: string; socketId: string; viewer: PresenceViewer }>): Promise<void> {
    if (entries.length === 0) return;
    const pipe = this.redis.client.pipeline();
    for (const e of entries)
      pipe.hset(this.key(e.unitId), e.socketId, JSON.stringify({ ...e.viewer, seen: Date.now() }));
    await pipe.exec();
  }

  /** Distinct viewers (one person with two tabs counts once). */
  async viewers(unitId: string): Promise<PresenceViewer[]> {
    const all = await this.redis.client.hgetall(this.key(unitId));
    const byUser = new Map<string, PresenceViewer>();
    const stale: string[] = [];
    for (const [socketId, json] of Object.entries(all)) {
      const v = JSON.parse(json) as PresenceViewer & { seen: number };
      if (Date.now() - v.seen > STALE_MS) stale.push(socketId);
      else byUser.set(v.userId, { userId: v.userId, name: v.name, role: v.role });
    }
    if (stale.length) await this.redis.client.hdel(this.key(unitId), ...stale);
    return [...byUser.values()].sort((a, b) => a.name.localeCompare(b.name, 'sv'));
  }

  async nextVersion(unitId: string): Promise<number> {
    return this.redis.client.incr(this.redis.key('presence-version', unitId));
  }
}
