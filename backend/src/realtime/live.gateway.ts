import { Logger, OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { z } from 'zod';
import { can, type Capability } from '../auth/access-policy';
import type { Principal } from '../auth/principal';
import { TokenService } from '../auth/token.service';
import { localDate } from '../common/zod';
import { AccessService } from '../organisation/access.service';
import { NvrService } from '../nvr/nvr.service';
import { StockService } from '../stock/stock.service';
import { CoverageService } from '../coverage/coverage.service';
import { MassCancellationService } from '../timebook/mass-cancellation.service';
import { TimebookService } from '../timebook/timebook.service';
import type {
  ClientToServerEvents,
  PresenceViewer,
  ServerToClientEvents,
  SubscribeAck,
  Topic,
} from './events';
import { topicKey } from './events';
import { PresenceService } from './presence.service';
import { CLIENT_EVENTS, EventBudget } from './socket-guard';
import { RealtimeService } from './realtime.service';

type LiveSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  never,
  { principal: Principal & { exp: number } }
>;

const subscribeSchema = z.object({
  topic: z.enum(['timebook', 'stock', 'coverage', 'jobs', 'presence']),
  unitId: z.string().min(1).max(64).optional(),
  regionId: z.string().min(1).max(64).optional(),
  date: localDate.optional(),
});

const CAPABILITY: Record<Topic, Capability> = {
  timebook: 'timebook.read',
  presence: 'timebook.read',
  stock: 'stock.read',
  coverage: 'coverage.read',
  jobs: 'jobs.read',
};

/**
 * Namespace `/live`: token checked in the handshake; `subscribe` checks the assignment's access
 * to the topic before joining its room, then answers with the version and a snapshot. The room
 * is joined before the snapshot is read, so no change can fall between the two.
 */
@WebSocketGateway({ namespace: '/live', transports: ['websocket', 'polling'] })
export class LiveGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  private readonly logger = new Logger(LiveGateway.name);
  private ns?: Namespace;
  private presenceTimer?: NodeJS.Timeout;
  /** socket id → units whose presence it joined */
  private readonly presence = new Map<string, Set<string>>();
  openSockets = 0;

  constructor(
    private readonly tokens: TokenService,
    private readonly access: AccessService,
    private readonly timebook: TimebookService,
    private readonly stock: StockService,
    private readonly massCancellations: MassCancellationService,
    private readonly realtime: RealtimeService,
    private readonly presenceStore: PresenceService,
    private readonly coverage: CoverageService,
    private readonly nvr: NvrService,
  ) {}

  afterInit(ns: Namespace): void {
    this.ns = ns;
    this.realtime.attach(ns as never);
    ns.use((socket, next) => {
      const auth = socket.handshake.auth as { token?: unknown } | undefined;
      const principal = this.tokens.verify(typeof auth?.token === 'string' ? auth.token : undefined);
      if (!principal) return next(new Error('unauthorized'));
      (socket as LiveSocket).data.principal = principal;
      next();
    });
    this.presenceTimer = setInterval(() => void this.refreshPresence().catch(() => undefined), 20_000);
  }

  handleConnection(socket: LiveSocket): void {
    this.openSockets++;
    // Garbage and floods get an error ack, never work and never a crash.
    const budget = new EventBudget();
    socket.use(([event, ...args], next) => {
      const last = args[args.length - 1];
      const ack = typeof last === 'function' ? (last as (res: unknown) => void) : undefined;
      const verdict = budget.take();
      if (verdict === 'disconnect') {
        socket.disconnect(true);
        return;
      }
      if (verdict === 'refuse')
        return ack?.({ ok: false, error: 'rate-limited', message: 'too many events' });
      if (typeof event !== 'string' || !CLIENT_EVENTS.has(event))
        return ack?.({ ok: false, error: 'invalid', message: 'unknown event' });
      next();
    });
    const ms = socket.data.principal.exp * 1000 - Date.now();
    // An expired token ends the session; the client logs in again (or refreshes) and reconnects.
    const timer = setTimeout(() => socket.disconnect(true), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    socket.once('disconnect', () => clearTimeout(timer));
  }

  async handleDisconnect(socket: LiveSocket): Promise<void> {
    this.openSockets--;
    const units = this.presence.get(socket.id);
    this.presence.delete(socket.id);
    for (const unitId of units ?? []) await this.leavePresence(unitId, socket.id).catch(() => undefined);
  }

  @SubscribeMessage('subscribe')
  async subscribe(
    @ConnectedSocket() socket: LiveSocket,
    @MessageBody() body: unknown,
  ): Promise<SubscribeAck> {
    try {
      const parsed = subscribeSchema.safeParse(body);
      if (!parsed.success) return { ok: false, error: 'invalid', message: parsed.error.issues[0]?.message };
      const req = parsed.data;
      const p = socket.data.principal;
      if (p.exp * 1000 <= Date.now()) return { ok: false, error: 'forbidden', message: 'token expired' };
      if (req.topic === 'timebook' || req.topic === 'presence') {
        if (!req.unitId) return { ok: false, error: 'invalid', message: 'unitId is required' };
        const unit = await this.access.allowedUnit(p, CAPABILITY[req.topic], req.unitId);
        if (!unit) return { ok: false, error: 'forbidden' };
        if (req.topic === 'timebook') {
          await socket.join(topicKey('timebook', unit.id));
          return { ok: true, ...(await this.timebook.snapshot(unit.id, req.date)) };
        }
        return await this.joinPresence(socket, unit.id);
      }
      if (req.topic === 'stock') {
        if (req.unitId) {
          const unit = await this.access.allowedUnit(p, 'stock.read', req.unitId);
          if (!unit) return { ok: false, error: 'forbidden' };
          await socket.join(topicKey('stock', unit.id));
          const snapshot = await this.stock.snapshot(unit.id);
          return { ok: true, version: snapshot.version, snapshot };
        }
        if (req.regionId) {
          if (!can(p, 'stock.region', { regionId: req.regionId })) return { ok: false, error: 'forbidden' };
          await socket.join(topicKey('stock', `region:${req.regionId}`));
          const snapshot = await this.stock.overview(p, req.regionId);
          return { ok: true, version: snapshot.version, snapshot };
        }
        return { ok: false, error: 'invalid', message: 'unitId or regionId is required' };
      }
      if (req.topic === 'coverage') {
        if (!req.regionId) return { ok: false, error: 'invalid', message: 'regionId is required' };
        if (!can(p, 'coverage.read', { regionId: req.regionId })) return { ok: false, error: 'forbidden' };
        await socket.join(topicKey('coverage', `region:${req.regionId}`));
        const snapshot = await this.coverage.snapshot(req.regionId);
        return { ok: true, version: snapshot.version, snapshot };
      }
      if (req.topic === 'jobs' && req.regionId && !req.unitId) {
        // a region's NVR export runs (R28)
        if (!can(p, 'nvr.export', { regionId: req.regionId })) return { ok: false, error: 'forbidden' };
        await socket.join(topicKey('jobs', `region:${req.regionId}`));
        return { ok: true, ...(await this.nvr.jobsSnapshot(req.regionId)) };
      }
      if (req.topic === 'jobs') {
        if (!req.unitId) return { ok: false, error: 'invalid', message: 'unitId or regionId is required' };
        const unit = await this.access.allowedUnit(p, 'jobs.read', req.unitId);
        if (!unit) return { ok: false, error: 'forbidden' };
        await socket.join(topicKey('jobs', unit.id));
        return { ok: true, ...(await this.massCancellations.running(unit.id)) };
      }
      return { ok: false, error: 'invalid', message: `topic ${req.topic} is not served yet` };
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'subscribe failed');
      return { ok: false, error: 'unavailable', message: 'try again' };
    }
  }

  @SubscribeMessage('unsubscribe')
  async unsubscribe(@ConnectedSocket() socket: LiveSocket, @MessageBody() body: unknown) {
    const parsed = subscribeSchema.safeParse(body);
    if (!parsed.success || !(parsed.data.unitId || parsed.data.regionId))
      return { ok: false, error: 'invalid' };
    const { topic, unitId, regionId } = parsed.data;
    await socket.leave(unitId ? topicKey(topic, unitId) : topicKey(topic, `region:${regionId}`));
    if (topic === 'presence' && unitId) {
      this.presence.get(socket.id)?.delete(unitId);
      await this.leavePresence(unitId, socket.id);
    }
    return { ok: true };
  }

  private viewerOf(p: Principal): PresenceViewer {
    return p.kind === 'staff'
      ? { userId: p.userId, name: p.name, role: p.role }
      : { userId: p.patientId, name: 'Invånare', role: 'CITIZEN' };
  }

  private async joinPresence(socket: LiveSocket, unitId: string): Promise<SubscribeAck> {
    await socket.join(topicKey('presence', unitId));
    if (!this.presence.has(socket.id)) this.presence.set(socket.id, new Set());
    this.presence.get(socket.id)!.add(unitId);
    await this.presenceStore.join(unitId, socket.id, this.viewerOf(socket.data.principal));
    const version = await this.broadcastPresence(unitId);
    return { ok: true, version, snapshot: { unitId, viewers: await this.presenceStore.viewers(unitId) } };
  }

  private async leavePresence(unitId: string, socketId: string): Promise<void> {
    await this.presenceStore.leave(unitId, socketId);
    await this.broadcastPresence(unitId);
  }

  private async broadcastPresence(unitId: string): Promise<number> {
    const [version, viewers] = await Promise.all([
      this.presenceStore.nextVersion(unitId),
      this.presenceStore.viewers(unitId),
    ]);
    this.realtime.emit(topicKey('presence', unitId), 'presence.changed', {
      topic: 'presence',
      unitId,
      version,
      viewers,
    });
    return version;
  }

  private async refreshPresence(): Promise<void> {
    const entries: Array<{ unitId: string; socketId: string; viewer: PresenceViewer }> = [];
    for (const [socketId, units] of this.presence) {
      const socket = this.ns?.sockets.get(socketId) as LiveSocket | undefined;
      if (!socket) continue;
      for (const unitId of units)
        entries.push({ unitId, socketId, viewer: this.viewerOf(socket.data.principal) });
    }
    await this.presenceStore.refresh(entries);
  }

  onModuleDestroy(): void {
    if (this.presenceTimer) clearInterval(this.presenceTimer);
  }
}
