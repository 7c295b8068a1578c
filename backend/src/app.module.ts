import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { TokenService } from './auth/token.service';
import { AllExceptionsFilter } from './common/http-exception.filter';
import { loggerParams } from './common/logging';
import { APP_CONFIG, AppConfig } from './config/config';
import { HealthController } from './health/health.controller';
import { MetricsService } from './health/metrics.service';
import { DatabaseService } from './infra/database.service';
import { OutboxRelay } from './infra/outbox/outbox.relay';
import { OutboxRetentionProcessor } from './infra/outbox/outbox-retention.processor';
import { PrismaService } from './infra/prisma.service';
import { QueueRegistry } from './infra/queue/queue.registry';
import { WorkerHost } from './infra/queue/worker.host';
import { RedisService } from './infra/redis.service';
import { JobsController } from './jobs/jobs.controller';
import { AccessService } from './organisation/access.service';
import { UnitDirectory } from './organisation/unit-directory.service';
import { UnitsController } from './organisation/units.controller';
import { PatientsController } from './patients/patients.controller';
import { ProductsController } from './products/products.controller';
import { ReconciliationProcessor } from './stock/reconciliation.processor';
import { StockController } from './stock/stock.controller';
import { StockRepository } from './stock/stock.repository';
import { StockService } from './stock/stock.service';
import { PatientsRepository } from './patients/patients.repository';
import { PatientsService } from './patients/patients.service';
import { LiveGateway } from './realtime/live.gateway';
import { PresenceService } from './realtime/presence.service';
import { RealtimeService } from './realtime/realtime.service';
import { HoldsProcessor } from './timebook/holds.processor';
import { BookingsController, TimebookController } from './timebook/timebook.controller';
import { TimebookRepository } from './timebook/timebook.repository';
import { TimebookService } from './timebook/timebook.service';
import { WaitingRoomService } from './timebook/waiting-room.service';
import { RebookingController, WebBookingController } from './timebook/web-booking.controller';
import { WebBookingRepository } from './timebook/web-booking.repository';
import { VisitTypesController } from './timebook/visit-types.controller';
import { TimebookAdminController } from './timebook/timebook-admin.controller';
import { TimebookAdminService } from './timebook/timebook-admin.service';
import { VisitTypesService } from './timebook/visit-types.service';
import { MassCancellationProcessor } from './timebook/mass-cancellation.processor';
import { MassCancellationService } from './timebook/mass-cancellation.service';
import { OutboxJobDispatcher } from './infra/outbox/job-dispatch';
import { SmsDeliveryController } from './notifications/sms-delivery.controller';
import { SmsProcessor } from './notifications/sms.processor';
import { RemindersProcessor } from './notifications/reminders.processor';
import { RecoveryProcessor } from './notifications/recovery.processor';
import { SmsClock } from './notifications/sms-clock';
import { SmsController } from './notifications/sms.controller';
import { QueueBoardController } from './infra/queue/queue-board';
import { SmsAdminService } from './notifications/sms-admin.service';
import { CampaignsProcessor } from './notifications/campaigns.processor';
import { OpenVialsProcessor } from './vaccinations/open-vials.processor';
import { VaccinationsController } from './vaccinations/vaccinations.controller';
import { VaccinationsRepository } from './vaccinations/vaccinations.repository';
import { VaccinationsService } from './vaccinations/vaccinations.service';
import { CitizenJournalController, JournalController } from './journal/journal.controller';
import { JournalRepository } from './journal/journal.repository';
import { JournalService } from './journal/journal.service';
import { CoverageController } from './coverage/coverage.controller';
import { CoverageProcessor } from './coverage/coverage.processor';
import { CoverageRepository } from './coverage/coverage.repository';
import { CoverageService } from './coverage/coverage.service';
import { NvrController } from './nvr/nvr.controller';
import { NvrExporter } from './nvr/nvr-exporter';
import { NvrProcessor } from './nvr/nvr.processor';
import { NvrService } from './nvr/nvr.service';

/**
 * The whole application. Which parts run depends on PROCESS_ROLE: `api` serves HTTP and
 * sockets and relays the outbox; `worker` runs the queues; `all` does both.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig) {
    return {
      module: AppModule,
      imports: [DiscoveryModule, LoggerModule.forRoot(loggerParams(config))],
      controllers: config.runsApi
        ? [
            HealthController,
            AuthController,
            UnitsController,
            PatientsController,
            TimebookController,
            BookingsController,
            WebBookingController,
            RebookingController,
            VisitTypesController,
            TimebookAdminController,
            JobsController,
            StockController,
            ProductsController,
            VaccinationsController,
            SmsDeliveryController,
            JournalController,
            CitizenJournalController,
            CoverageController,
            NvrController,
            SmsController,
            QueueBoardController,
          ]
        : [],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        DatabaseService,
        PrismaService,
        RedisService,
        QueueRegistry,
        WorkerHost,
        OutboxRelay,
        OutboxRetentionProcessor,
        RealtimeService,
        PresenceService,
        TokenService,
        AuthService,
        UnitDirectory,
        AccessService,
        PatientsRepository,
        PatientsService,
        TimebookRepository,
        TimebookService,
        WebBookingRepository,
        WaitingRoomService,
        VisitTypesService,
        TimebookAdminService,
        MassCancellationService,
        MassCancellationProcessor,
        OutboxJobDispatcher,
        VaccinationsRepository,
        VaccinationsService,
        OpenVialsProcessor,
        SmsProcessor,
        RemindersProcessor,
        RecoveryProcessor,
        SmsClock,
        SmsAdminService,
        CampaignsProcessor,
        HoldsProcessor,
        StockRepository,
        StockService,
        ReconciliationProcessor,
        MetricsService,
        JournalRepository,
        JournalService,
        CoverageRepository,
        CoverageService,
        CoverageProcessor,
        NvrService,
        NvrExporter,
        NvrProcessor,
        ...(config.runsApi ? [LiveGateway] : []),
      ],
    };
  }
}
